#include "events/event.h"

namespace consentry::events {

std::string_view eventTypeName(EventType type) {
  switch (type) {
    case EventType::Pageview:
      return "pageview";
    case EventType::Beacon:
      return "beacon";
    case EventType::ConsentWithdrawn:
      return "consent.withdrawn";
  }
  return "pageview";
}

}  // namespace consentry::events
