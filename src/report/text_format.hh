#pragma once
// Text helpers of the report: escaping for HTML and gnuplot, base64, number formatting.
#include <string>
#include <string_view>

namespace calo::report {

/// Escapes & < > " ' for use in HTML text and attribute values.
std::string html_escape(std::string_view text);

/// A gnuplot single-quoted string literal: no escape processing inside, '' stands for a
/// quote; control characters (newlines) become spaces.
std::string gnuplot_quote(std::string_view text);

/// Standard base64 (RFC 4648) with padding, no line breaks.
std::string base64_encode(std::string_view bytes);

/// A number for people: `digits` significant digits, "n/a" for NaN, "inf"/"-inf".
std::string format_number(double value, int digits = 3);

/// A number for gnuplot data: full precision, "NaN" for anything not finite.
std::string data_number(double value);

/// Letters, digits, '-' and '_' of text (others become '-'): an HTML id fragment.
std::string id_fragment(std::string_view text);

}  // namespace calo::report
