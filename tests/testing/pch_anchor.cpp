// SPDX-License-Identifier: Apache-2.0
// The one source of initforge_test_pch, the target that owns the tests'
// precompiled header (see tests/CMakeLists.txt).
