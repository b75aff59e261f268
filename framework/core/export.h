// SPDX-License-Identifier: Apache-2.0
#pragma once

// Symbols of libinitforge_core that plugins and tools may use. The library is
// built with hidden visibility; exception types must be exported so that a
// plugin's throw is caught by type in the host.
#define INITFORGE_API __attribute__((visibility("default")))
