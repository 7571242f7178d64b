"""The promises requesty-tui makes, one module each (the README lists them):

1. test_1_nothing_typed_is_lost       4. test_4_network_misbehaves
2. test_2_nothing_received_is_lost    5. test_5_model_output_is_data
3. test_3_disk_with_care              6. test_6_key_stays_secret
                                      7. test_7_bad_config_is_explained
8. Long use holds: ``benchmarks/soak.py`` (a benchmark, not a test: it runs for minutes).
"""
