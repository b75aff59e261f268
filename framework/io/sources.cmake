target_sources(
  initforge_core
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/arg_text.cpp
          ${CMAKE_CURRENT_LIST_DIR}/atomic_file.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conformance_json.cpp
          ${CMAKE_CURRENT_LIST_DIR}/json_compare.cpp
          ${CMAKE_CURRENT_LIST_DIR}/npy.cpp
          ${CMAKE_CURRENT_LIST_DIR}/npy_header.cpp
          ${CMAKE_CURRENT_LIST_DIR}/report_json.cpp
          ${CMAKE_CURRENT_LIST_DIR}/run_report_json.cpp
          ${CMAKE_CURRENT_LIST_DIR}/safetensors.cpp
          ${CMAKE_CURRENT_LIST_DIR}/tensor_checksums.cpp
          ${CMAKE_CURRENT_LIST_DIR}/text_file.cpp
          ${CMAKE_CURRENT_LIST_DIR}/train_report_json.cpp)
# io/ (with model/) is where nlohmann/json may be used; it stays private.
find_package(nlohmann_json 3.11 REQUIRED)
target_link_libraries(initforge_core PRIVATE nlohmann_json::nlohmann_json)
# tensor_checksums: zlib's crc32 (the same CRC as Python's zlib.crc32).
find_package(ZLIB REQUIRED)
target_link_libraries(initforge_core PRIVATE ZLIB::ZLIB)
# sha256 (plugin trust): OpenSSL's libcrypto, Debian's libssl-dev.
target_sources(initforge_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/sha256.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/trust_store.cpp)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
target_link_libraries(initforge_core PRIVATE OpenSSL::Crypto)
