#include "filters/beacon/tracker_script.h"

namespace consentry::filters {
namespace {

// text/plain keeps sendBeacon a "simple" request (no CORS preflight, no cookies beyond
// same-origin ones the browser sends anyway).
constexpr std::string_view kScript = R"JS((function () {
  "use strict";
  if (window.consentry) return;
  var endpoint = "@BEACON_PATH@";
  function send(events) {
    var body = JSON.stringify(events.length === 1 ? events[0] : { events: events });
    try {
      if (navigator.sendBeacon &&
          navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) return;
    } catch (e) { /* fall through to fetch */ }
    try {
      fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
                        headers: { "Content-Type": "text/plain" } });
    } catch (e) { /* telemetry must never break the page */ }
  }
  function context(name, props) {
    var ev = { name: name, path: location.pathname };
    if (props && typeof props === "object") {
      var clean = {}, n = 0;
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k) || n >= 50) continue;
        var v = props[k];
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
          clean[k] = v; n++;
        }
      }
      ev.props = clean;
    }
    return ev;
  }
  function pageload() {
    var ev = context("pageload");
    ev.screen = { width: screen.width | 0, height: screen.height | 0,
                  dpr: Math.round((window.devicePixelRatio || 1) * 100) / 100 };
    ev.viewport = { width: window.innerWidth | 0, height: window.innerHeight | 0 };
    ev.language = navigator.language || "";
    if (document.referrer) ev.referrer = document.referrer;
    send([ev]);
  }
  window.consentry = {
    track: function (name, props) {
      if (typeof name !== "string" || !name || name.length > 64) return false;
      send([context(name, props)]);
      return true;
    }
  };
  if (document.readyState === "complete") pageload();
  else window.addEventListener("load", pageload, { once: true });
})();
)JS";

}  // namespace

std::string trackerScript(std::string_view beaconPath) {
  std::string out(kScript);
  std::string escaped;
  for (char c : beaconPath) {
    // The path comes from the config; keep it a harmless JS string literal whatever it holds.
    if (c == '"' || c == '\\' || c == '<' || static_cast<unsigned char>(c) < 0x20) continue;
    escaped.push_back(c);
  }
  const std::string_view marker = "@BEACON_PATH@";
  out.replace(out.find(marker), marker.size(), escaped);
  return out;
}

}  // namespace consentry::filters
