// SPDX-License-Identifier: Apache-2.0
#include "framework/model/json_parse.h"

#include <set>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/model/json_cursor.h"

namespace initforge {

TextPosition text_position(std::string_view text, std::size_t index) {
  TextPosition pos;
  std::size_t line_start = 0;
  const std::size_t end = std::min(index, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = index - line_start + 1;
  return pos;
}

namespace {

using Json = nlohmann::json;
using Event = Json::parse_event_t;

// Tracks the pointer of the value being parsed, to name a duplicate key or
// a number too large for a double (nlohmann reports neither's position).
class PointerTracker {
 public:
  explicit PointerTracker(const std::string& file) : file_(file) {}

  bool on_event(Event event, const Json& parsed) {
    switch (event) {
      case Event::object_start:
        frames_.push_back(Frame{false, 0, {}, {}});
        break;
      case Event::array_start:
        frames_.push_back(Frame{true, 0, {}, {}});
        break;
      case Event::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          throw ConfigError(
              file_,
              pointer(),
              "duplicate key \"" + top.key +
                  "\" (JSON keeps only the last value; give it once)");
        }
        break;
      }
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        next_element();
        break;
      case Event::value:
        next_element();
        break;
    }
    return true;
  }

  /// The pointer of the value being parsed (after its key, if any).
  std::string pointer() const {
    nlohmann::json::json_pointer out;
    for (const Frame& f : frames_) {
      out = f.array ? out / f.index : out / f.key;
    }
    return out.to_string();
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::set<std::string> keys;
    std::string key;
  };

  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  const std::string& file_;
  std::vector<Frame> frames_;
};

// nlohmann's text is "[json.exception.parse_error.101] parse error at line
// 2, column 10: syntax error ..."; keep what follows the position.
std::string parse_detail(const std::string& what) {
  const std::size_t column = what.find("column ");
  if (column != std::string::npos) {
    const std::size_t colon = what.find(": ", column);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const std::size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

Json parse_json(std::string_view text, const std::string& file) {
  PointerTracker tracker(file);
  try {
    return Json::parse(text, [&](int /*depth*/, Event event, Json& parsed) {
      return tracker.on_event(event, parsed);
    });
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based offset of the last character read.
    const TextPosition pos = text_position(text, e.byte == 0 ? 0 : e.byte - 1);
    throw ConfigError(
        file,
        "",
        "line " + std::to_string(pos.line) + ", column " +
            std::to_string(pos.column) +
            ": malformed JSON: " + parse_detail(e.what()));
  } catch (const Json::out_of_range& e) {
    // 406: a number literal beyond a double's range, e.g. 1e999.
    const std::string what = e.what();
    const std::size_t open = what.find('\''), close = what.rfind('\'');
    const std::string literal = open < close
                                    ? what.substr(open + 1, close - open - 1)
                                    : parse_detail(what);
    throw ConfigError(
        file,
        tracker.pointer(),
        expected_got("a finite number (a double)", literal));
  } catch (const Json::exception& e) {
    throw ConfigError(file, "", "malformed JSON: " + parse_detail(e.what()));
  }
}

}  // namespace initforge
