# Config loading and validation (JSON -> ModelConfig; scheme checks).
target_sources(
  initforge_model
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/init_rules.cpp
          ${CMAKE_CURRENT_LIST_DIR}/json_cursor.cpp
          ${CMAKE_CURRENT_LIST_DIR}/json_parse.cpp
          ${CMAKE_CURRENT_LIST_DIR}/block_condition.cpp
          ${CMAKE_CURRENT_LIST_DIR}/block_expander.cpp
          ${CMAKE_CURRENT_LIST_DIR}/layer_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/layer_list_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/init_spec_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/typed_section.cpp
          ${CMAKE_CURRENT_LIST_DIR}/optimizer_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/train_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dataset_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/augment_parser.cpp
          ${CMAKE_CURRENT_LIST_DIR}/train_overrides.cpp
          ${CMAKE_CURRENT_LIST_DIR}/config_loader.cpp
          ${CMAKE_CURRENT_LIST_DIR}/experiment_loader.cpp
          ${CMAKE_CURRENT_LIST_DIR}/init_check.cpp)
