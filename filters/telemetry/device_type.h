#pragma once
// The coarse device class of an event (desktop | mobile | tablet | bot | tv | console | other),
// derived from uap-core's answer, UA tokens and, when present, client hints.

#include <optional>
#include <string_view>

#include "filters/telemetry/ua_regexes.h"

namespace consentry::filters::telemetry {

enum class DeviceType { Desktop, Mobile, Tablet, Bot, Tv, Console, Other };

std::string_view deviceTypeName(DeviceType type);

// Order of the rules (first hit wins):
//   bot -> Bot; console tokens (PlayStation, Xbox, Nintendo) -> Console;
//   TV tokens (SmartTV, HbbTV, CrKey, Roku, AFTx Fire TV, BRAVIA, Web0S, tvOS, "TV" in the
//   device family) -> Tv;
//   hints: Sec-CH-UA-Mobile ?1 -> Mobile, ?0 on Android -> Tablet, ?0 elsewhere -> Desktop;
//   iPad, Kindle, "Tablet", or Android without the "Mobi" token (Google's rule for tablets)
//   -> Tablet; "Mobi", iPhone/iPod, or a phone OS (iOS, Windows Phone, BlackBerry, Symbian,
//   KaiOS, Firefox OS) -> Mobile; a desktop OS (Windows, Mac OS X, Linux distributions,
//   Chrome OS, BSDs) with a generic device -> Desktop; anything else -> Other.
DeviceType deriveDeviceType(const RawParse& raw, std::string_view ua, bool bot,
                            std::optional<bool> hintMobile, std::string_view hintPlatform);

}  // namespace consentry::filters::telemetry
