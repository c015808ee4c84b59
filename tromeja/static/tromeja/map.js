// The incident map and the place picker of the report form (Leaflet).
// The base layer is Tromeja's own borders and sections; tiles only if the
// node configures a tile server.
(function () {
  "use strict";

  var TYPE_COLOURS = {
    irregular_crossing: "#d63384", group_inland: "#fd7e14", smuggler: "#dc3545",
    vehicle: "#0d6efd", document_fraud: "#6f42c1", refusal: "#20c997",
    distress: "#ffc107", death_injury: "#000000", other_crime: "#6c757d"
  };
  var BORDER_COLOURS = { "SI-IT": "#198754", "SI-HR": "#0d6efd", "HR-BA": "#b02a37",
    "HR-RS": "#6f42c1", "HR-ME": "#fd7e14" };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function baseMap(el) {
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5, minZoom: 6, maxZoom: 18,
                          zoomControl: false, attributionControl: false }).fitBounds([[42.4, 13.3], [46.9, 19.5]]);
    el.tromejaMap = map;  // for keyboard helpers and tests
    L.control.zoom({ zoomInTitle: el.getAttribute("data-label-zoom-in"),
                     zoomOutTitle: el.getAttribute("data-label-zoom-out") }).addTo(map);
    var tiles = el.getAttribute("data-tile-url");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
    getJSON(el.getAttribute("data-geography-url")).then(function (data) {
      L.geoJSON(data, {
        filter: function (f) { return f.properties.layer !== "crossing"; },
        style: function (f) {
          if (f.properties.layer === "context") { return { color: "#888", weight: 1.5, dashArray: "4 4" }; }
          return { color: BORDER_COLOURS[f.properties.border] || "#333", weight: 3 };
        },
        onEachFeature: function (f, layer) {
          if (f.properties.name) { layer.bindTooltip(f.properties.name + " (" + f.properties.length_km + " km)"); }
        }
      }).addTo(map);
      L.geoJSON(data, {
        filter: function (f) { return f.properties.layer === "crossing"; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 4, color: "#212529", weight: 1, fillColor: "#fff", fillOpacity: 1 })
            .bindTooltip(f.properties.name);
        }
      }).addTo(map);
    });
    return map;
  }

  function viewMap(el) {
    var map = baseMap(el);
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById("map-status");
    var detail = el.getAttribute("data-detail-url");
    var labelReports = el.getAttribute("data-label-reports");
    var labelPersons = el.getAttribute("data-label-persons");
    var filters = new URLSearchParams(window.location.search);
    filters.delete("page"); filters.delete("q"); filters.delete("sort");
    if (!filters.has("since") && !filters.has("until")) {
      // The last 90 days unless the user chose dates (the filter form shows them);
      // dates cleared in the form mean every report.
      filters.set("since", el.getAttribute("data-default-since"));
      filters.set("until", el.getAttribute("data-default-until"));
    }
    Array.from(filters.keys()).forEach(function (key) {
      if (!filters.get(key)) { filters.delete(key); }
    });
    var pending = null;

    function load() {
      var b = map.getBounds();
      var params = new URLSearchParams(filters);
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
      var url = el.getAttribute("data-points-url") + "?" + params.toString();
      pending = url;
      getJSON(url).then(function (data) {
        if (pending !== url) { return; }
        layer.clearLayers();
        if (data.aggregated) {
          data.features.forEach(function (f) {
            var n = f.properties.count;
            var c = f.geometry.coordinates;
            L.circleMarker([c[1], c[0]], { radius: 6 + Math.min(24, Math.sqrt(n)), color: "#0b3d63", fillOpacity: 0.5 })
              .bindTooltip(n + " " + labelReports).addTo(layer);
          });
        } else {
          var cluster = L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 40 }) : layer;
          data.features.forEach(function (f) {
            var p = f.properties;
            var c = f.geometry.coordinates;
            var marker = L.circleMarker([c[1], c[0]], { radius: 7, color: "#fff", weight: 1,
              fillColor: TYPE_COLOURS[p.type] || "#333", fillOpacity: 0.9 });
            var link = document.createElement("a");
            link.href = detail + p.id + "/";
            link.textContent = p.reference;
            var box = document.createElement("div");
            box.appendChild(link);
            box.appendChild(document.createTextNode(" · " + p.persons + " " + labelPersons));
            marker.bindPopup(box);
            cluster.addLayer(marker);
          });
          if (cluster !== layer) { layer.addLayer(cluster); }
        }
        if (status) { status.textContent = data.total + " " + labelReports; status.setAttribute("data-total", data.total); }
      }).catch(function (err) { if (status) { status.textContent = "⚠ " + err; } });
    }
    map.on("moveend", load);
    load();
  }

  function pickMap(el) {
    var map = baseMap(el);
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var marker = null;
    function show() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isNaN(a) || isNaN(b)) { return; }
      if (marker) { marker.setLatLng([a, b]); } else { marker = L.marker([a, b], { icon: L.divIcon({ className: "picked-place" }) }).addTo(map); }
    }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(5);
      lon.value = e.latlng.lng.toFixed(5);
      lat.dispatchEvent(new Event("change"));
      show();
    });
    lat.addEventListener("change", show);
    lon.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("incident-map");
    if (!el || typeof L === "undefined") { return; }
    if (el.getAttribute("data-mode") === "pick") { pickMap(el); } else { viewMap(el); }
  });
})();
