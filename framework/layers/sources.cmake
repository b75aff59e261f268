target_sources(
  initforge_layers
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/layer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/layer_type.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dnnl_util.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dnnl_info.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dense_params.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dense_backward.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dense_layer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/linear.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conv2d.cpp
          ${CMAKE_CURRENT_LIST_DIR}/eltwise.cpp
          ${CMAKE_CURRENT_LIST_DIR}/pool2d.cpp
          ${CMAKE_CURRENT_LIST_DIR}/batch_norm.cpp
          ${CMAKE_CURRENT_LIST_DIR}/row_normalization.cpp
          ${CMAKE_CURRENT_LIST_DIR}/layer_norm.cpp
          ${CMAKE_CURRENT_LIST_DIR}/group_norm.cpp
          ${CMAKE_CURRENT_LIST_DIR}/flatten.cpp
          ${CMAKE_CURRENT_LIST_DIR}/add.cpp
          ${CMAKE_CURRENT_LIST_DIR}/softmax.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conv_layer.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conv1d.cpp
          ${CMAKE_CURRENT_LIST_DIR}/conv_transpose2d.cpp
          ${CMAKE_CURRENT_LIST_DIR}/adaptive_avg_pool2d.cpp
          ${CMAKE_CURRENT_LIST_DIR}/concat.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dropout.cpp
          ${CMAKE_CURRENT_LIST_DIR}/dropout_mask.cpp)
# ELU, SELU, Hardswish (host derivatives), Identity, ScalarMultiplier and
# ScalarBias, and the host loops they share.
target_sources(
  initforge_layers
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/host_loops.cpp
          ${CMAKE_CURRENT_LIST_DIR}/elu_hardswish.cpp
          ${CMAKE_CURRENT_LIST_DIR}/identity.cpp
          ${CMAKE_CURRENT_LIST_DIR}/scalar_affine.cpp)
