// site-builder serve: one Server-Sent Events connection shared by every tab of the site
// (browsers allow six connections per server; a stream per tab would starve the seventh).
"use strict";
var ports = [];
var last = null;
var source = new EventSource("/__site_builder__/events");
source.addEventListener("status", function (event) {
  last = event.data;
  ports = ports.filter(function (port) {
    try {
      port.postMessage(last);
      return true;
    } catch (e) {
      return false;
    }
  });
});
self.onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  port.onmessage = function (e) {
    if (e.data === "bye") {
      ports = ports.filter(function (p) { return p !== port; });
    }
  };
  port.start();
  if (last !== null) port.postMessage(last);
};
