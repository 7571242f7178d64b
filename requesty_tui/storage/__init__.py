"""What lives on disk: sessions, drafts, caches, settings, exports. No Textual."""
