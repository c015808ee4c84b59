// The maps of Tromeja (Leaflet): the incident map (data-mode="view"), the
// report form's place picker (data-mode="pick") and a report's small map
// (data-mode="small").
//
// The basemap is served by the node itself and needs no network: the
// countries' areas and names, towns and villages by zoom level, the borders
// with their sections and the crossing points. A node may add a background
// from its own tile server (data-tile-url) or WMS server (data-wms-url).
// Every text shown comes from the server-rendered page (data attributes).
(function () {
  "use strict";

  var TYPE_COLOURS = {
    irregular_crossing: "#d63384", group_inland: "#fd7e14", smuggler: "#dc3545",
    vehicle: "#0d6efd", document_fraud: "#6f42c1", refusal: "#20c997",
    distress: "#ffc107", death_injury: "#000000", other_crime: "#6c757d"
  };
  var BORDER_COLOURS = { "SI-IT": "#198754", "SI-HR": "#0d6efd", "HR-BA": "#b02a37",
    "HR-RS": "#6f42c1", "HR-ME": "#fd7e14" };
  // The cooperation's countries in light colours, their neighbours in greys.
  var COUNTRY_FILLS = { SI: "#d3e8c8", IT: "#f4e4c1", HR: "#eed5e6",
    AT: "#e4e2dc", HU: "#eceae4", BA: "#eceae4", RS: "#e4e2dc", ME: "#e4e2dc" };
  var SEA = "#b5d3e7";
  // Lakes and reservoirs (OpenStreetMap, simplified): drawn on the overview zooms only, as
  // closer up their outlines are off by some hundred metres.
  var WATER = "#9ec7e6", WATER_EDGE = "#6fa8d4", LAKES_MAX_ZOOM = 10;
  var REGION = [[42.4, 13.3], [46.9, 19.5]];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "Accept-Language": document.documentElement.lang || "en" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) { var e = new Error(body.detail || String(r.status)); e.status = r.status; e.body = body; throw e; }
          return body;
        });
      });
  }

  function attr(el, name) { return el.getAttribute("data-" + name) || ""; }

  function numberFormat(digits) {
    var lang = document.documentElement.lang || undefined;
    try { return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }); }
    catch (e) { return new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }); }
  }

  // ------------------------------------------------------------ labels

  // Where a country's name may go instead, in label heights from its point.
  var COUNTRY_SHIFTS = [[0, 0], [0, -1.3], [0, 1.3], [-2, 0], [2, 0], [-2, -1.3], [2, 1.3],
                        [-2, 1.3], [2, -1.3], [0, -2.6], [0, 2.6]];

  // Labels that do not overlap. Every country in view is named: its name
  // moves up, down or aside a little (its point is deep inside the country)
  // to leave the cities' names free, and covers them only where there is no
  // room. Then the cities, then the smaller places, each left out where it
  // would cover a name already placed.
  function declutter(map, countries, places, fixed) {
    var size = map.getSize();
    var boxes = (fixed || []).map(function (p) {
      var c = map.latLngToContainerPoint([p.lat, p.lon]);
      return [c.x - 12, c.y - p.height / 2, c.x + 28 + p.name.length * p.charWidth, c.y + p.height / 2];
    });
    function inside(box) { return box[0] >= 0 && box[1] >= 0 && box[2] <= size.x && box[3] <= size.y; }
    function overlaps(box, list) {
      for (var i = 0; i < list.length; i++) {
        var b = list[i];
        if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) { return true; }
      }
      return false;
    }
    function boxOf(item, x, y) {
      var w = item.name.length * item.charWidth, h = item.height;
      // A country's name is centred on its point; a place's name starts beside its dot.
      return item.country ? [x - w / 2, y - h / 2, x + w / 2, y + h / 2] : [x - 4, y - h / 2, x + 8 + w, y + h / 2];
    }
    var cities = places.filter(function (p) { return p.rank === 0; }).map(function (p) {
      var c = map.latLngToContainerPoint([p.lat, p.lon]);
      return boxOf(p, c.x, c.y);
    });
    var out = [];
    countries.forEach(function (item) {
      var p = map.latLngToContainerPoint([item.lat, item.lon]);
      var chosen = null;
      for (var k = 0; k < COUNTRY_SHIFTS.length && !chosen; k++) {
        var x = p.x + COUNTRY_SHIFTS[k][0] * item.height, y = p.y + COUNTRY_SHIFTS[k][1] * item.height;
        var box = boxOf(item, x, y);
        if (inside(box) && !overlaps(box, boxes) && !overlaps(box, cities)) { chosen = { box: box, x: x, y: y, k: k }; }
      }
      if (!chosen) {
        // No room: at its point, kept inside the map.
        var half = item.name.length * item.charWidth / 2;
        var cx = Math.max(half, Math.min(size.x - half, p.x));
        chosen = { box: boxOf(item, cx, p.y), x: cx, y: p.y, k: cx === p.x ? 0 : 1 };
      }
      if (chosen.k) {
        var moved = map.containerPointToLatLng([chosen.x, chosen.y]);
        item.lat = moved.lat; item.lon = moved.lng;
      }
      boxes.push(chosen.box);
      out.push(item);
    });
    places.forEach(function (item) {
      var p = map.latLngToContainerPoint([item.lat, item.lon]);
      var box = boxOf(item, p.x, p.y);
      if (inside(box) && !overlaps(box, boxes)) { boxes.push(box); out.push(item); }
    });
    return out;
  }

  function labelIcon(className, text) {
    var span = document.createElement("span");
    span.className = "map-label-text";
    span.textContent = text;
    return L.divIcon({ className: "map-label " + className, html: span, iconSize: null, iconAnchor: [0, 0] });
  }

  function basemap(map, el) {
    var state = { chosen: null };
    map.createPane("tromeja-countries").style.zIndex = 250;
    // Lakes and reservoirs over the countries, under the borders (overlay pane, 400) and the
    // names; only up to LAKES_MAX_ZOOM, as closer up their outlines are visibly too coarse.
    var water = map.createPane("tromeja-water");
    water.style.zIndex = 260;
    water.style.pointerEvents = "none";
    function showWater() { water.style.display = map.getZoom() > LAKES_MAX_ZOOM ? "none" : ""; }
    map.on("zoomend", showWater);
    showWater();
    map.createPane("tromeja-labels").style.zIndex = 450;
    map.getPane("tromeja-labels").style.pointerEvents = "none";
    var background = !!(attr(el, "tile-url") || attr(el, "wms-url"));
    getJSON(attr(el, "basemap-url")).then(function (data) {
      L.geoJSON(data, {
        pane: "tromeja-countries",
        interactive: false,
        filter: function (f) { return f.properties.layer === "sea" || f.properties.layer === "country"; },
        style: function (f) {
          var layer = f.properties.layer;
          if (layer === "sea") { return { stroke: false, fillColor: SEA, fillOpacity: background ? 0 : 1 }; }
          return { color: "#fff", weight: 0.5, opacity: background ? 0 : 0.8,
                   fillColor: COUNTRY_FILLS[f.properties.country] || "#eee", fillOpacity: background ? 0.2 : 1 };
        }
      }).addTo(map);
      L.geoJSON(data, {
        pane: "tromeja-water",
        interactive: false,
        filter: function (f) { return f.properties.layer === "lake"; },
        style: function () {
          return { color: WATER_EDGE, weight: 0.6, opacity: background ? 0 : 1,
                   fillColor: WATER, fillOpacity: background ? 0 : 1 };
        }
      }).addTo(map);
    });
    var labels = L.layerGroup().addTo(map);
    var pending = null;
    function loadLabels() {
      var b = map.getBounds(), z = map.getZoom();
      var params = new URLSearchParams({
        south: b.getSouth().toFixed(4), west: b.getWest().toFixed(4),
        north: b.getNorth().toFixed(4), east: b.getEast().toFixed(4), zoom: String(z)
      });
      var url = attr(el, "labels-url") + "?" + params.toString();
      pending = url;
      getJSON(url).then(function (data) {
        if (pending !== url) { return; }
        labels.clearLayers();
        var countryItems = data.countries.map(function (c) {
          return { name: c.name.toUpperCase(), lat: c.lat, lon: c.lon, charWidth: 12, height: 20, country: c.country };
        });
        var chosen = state.chosen;
        var placeItems = data.places.filter(function (p) {
          // The place chosen in the search has its own, larger label.
          return !(chosen && chosen.name === p.name && Math.abs(chosen.lat - p.lat) < 1e-4 && Math.abs(chosen.lon - p.lon) < 1e-4);
        }).map(function (p) {
          var size = [15, 13, 12, 11, 12][p.rank] || 11;
          return { name: p.name, lat: p.lat, lon: p.lon, rank: p.rank, charWidth: size * 0.6, height: size + 4 };
        });
        var fixed = chosen ? [{ name: chosen.name, lat: chosen.lat, lon: chosen.lon, charWidth: 10, height: 20 }] : [];
        declutter(map, countryItems, placeItems, fixed).forEach(function (item) {
          if (item.country) {
            L.marker([item.lat, item.lon], { icon: labelIcon("map-label-country", item.name), pane: "tromeja-labels",
                                            interactive: false, keyboard: false }).addTo(labels);
          } else {
            if (item.rank !== 4) {  // a crossing point has its own symbol
              L.circleMarker([item.lat, item.lon], { pane: "tromeja-labels", radius: item.rank === 0 ? 4 : 2.5,
                color: "#343a40", weight: 1, fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(labels);
            }
            L.marker([item.lat, item.lon], { icon: labelIcon("map-label-place map-label-rank-" + item.rank, item.name),
                                            pane: "tromeja-labels", interactive: false, keyboard: false }).addTo(labels);
          }
        });
      }).catch(function () { /* the map stays usable without names */ });
    }
    map.on("moveend", loadLabels);
    map.whenReady(loadLabels);
    return state;
  }

  function borders(map, el, highlight) {
    return getJSON(attr(el, "geography-url")).then(function (data) {
      L.geoJSON(data, {
        filter: function (f) { return f.properties.layer !== "crossing"; },
        style: function (f) {
          if (f.properties.layer === "context") { return { color: "#6c757d", weight: 1.5, dashArray: "4 4" }; }
          var colour = BORDER_COLOURS[f.properties.border] || "#333";
          if (highlight) {
            return f.properties.code === highlight ? { color: "#ffc107", weight: 9, opacity: 0.9 }
                                                   : { color: colour, weight: 2.5, opacity: 0.7 };
          }
          return { color: colour, weight: 3 };
        },
        onEachFeature: function (f, layer) {
          if (f.properties.name) { layer.bindTooltip(f.properties.name + " (" + numberFormat(1).format(f.properties.length_km) + " km)"); }
        }
      }).addTo(map);
      if (highlight) {
        // The highlighted section drawn again on top, in its border's colour.
        L.geoJSON(data, {
          filter: function (f) { return f.properties.code === highlight; },
          style: function (f) { return { color: BORDER_COLOURS[f.properties.border] || "#333", weight: 3.5 }; },
          interactive: false
        }).addTo(map);
      }
      L.geoJSON(data, {
        filter: function (f) { return f.properties.layer === "crossing"; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 5, color: "#212529", weight: 2, fillColor: "#ffc107", fillOpacity: 1 })
            .bindTooltip(f.properties.name);
        }
      }).addTo(map);
    });
  }

  function baseMap(el, options) {
    options = options || {};
    var map = L.map(el, L.extend({ preferCanvas: true, zoomSnap: 0.5, minZoom: 6, maxZoom: 18,
                                   zoomControl: false, attributionControl: false }, options.map || {}));
    el.tromejaMap = map;  // for the map's tools and tests
    map.fitBounds(REGION);
    L.control.zoom({ zoomInTitle: attr(el, "label-zoom-in"), zoomOutTitle: attr(el, "label-zoom-out") }).addTo(map);
    var tiles = attr(el, "tile-url"), wms = attr(el, "wms-url"), credit = attr(el, "attribution");
    if (wms) {
      L.tileLayer.wms(wms, { layers: attr(el, "wms-layers"), format: attr(el, "wms-format") || "image/png",
                             transparent: false, maxZoom: 18, attribution: credit }).addTo(map);
    } else if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: credit }).addTo(map);
    }
    if (credit) { L.control.attribution({ prefix: false }).addTo(map); }
    map.tromejaBasemap = basemap(map, el);
    borders(map, el, options.highlight);
    return map;
  }

  // ------------------------------------------------------------ tools

  // The search and "My position" of the tools block just before the map.
  function tools(el, map, onPosition) {
    var box = document.querySelector(".map-tools");
    if (!box) { return; }
    var input = box.querySelector(".map-search-input");
    var list = box.querySelector(".map-search-results");
    var message = box.querySelector(".map-tools-message");
    var found = [], active = -1, timer = null, asked = "";
    var chosen = L.layerGroup().addTo(map);

    function say(text) { message.textContent = text || ""; }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
      if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); } else { input.removeAttribute("aria-activedescendant"); }
    }
    function pick(i) {
      var place = found[i];
      if (!place) { return; }
      close();
      input.value = place.label;
      chosen.clearLayers();
      if (map.tromejaBasemap) { map.tromejaBasemap.chosen = place; }
      map.setView([place.lat, place.lon], place.zoom);
      L.marker([place.lat, place.lon], { icon: labelIcon("map-label-place map-label-chosen", place.name),
                                        pane: "tromeja-labels", interactive: false, keyboard: false }).addTo(chosen);
      L.circleMarker([place.lat, place.lon], { pane: "tromeja-labels", radius: 5, color: "#0b3d63", weight: 2,
                                               fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(chosen);
      say(place.label);
    }
    function show(places) {
      found = places;
      list.textContent = "";
      places.forEach(function (p, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "map-search-result";
        li.textContent = p.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { pick(i); });
        list.appendChild(li);
      });
      list.hidden = places.length === 0;
      input.setAttribute("aria-expanded", places.length ? "true" : "false");
      mark(-1);
      say(places.length ? "" : attr(box, "msg-none"));
    }
    function search(now) {
      var q = input.value.trim();
      clearTimeout(timer);
      if (q.length < 2) { found = []; close(); return Promise.resolve([]); }
      if (q === asked && !now) { return Promise.resolve(found); }
      var run = function () {
        asked = q;
        return getJSON(attr(box, "places-url") + "?" + new URLSearchParams({ q: q }).toString())
          .then(function (places) { if (input.value.trim() === q) { show(places); } return places; })
          .catch(function () { say(attr(box, "msg-error")); return []; });
      };
      if (now) { return run(); }
      return new Promise(function (resolve) { timer = setTimeout(function () { resolve(run()); }, 200); });
    }
    input.addEventListener("input", function () { search(false); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && found.length) { e.preventDefault(); if (list.hidden) { show(found); } mark(Math.min(found.length - 1, active + 1)); }
      else if (e.key === "ArrowUp" && found.length) { e.preventDefault(); mark(Math.max(0, active - 1)); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter") {
        // Never sends the report's form: Enter takes the chosen or the first place.
        e.preventDefault();
        var q = input.value.trim();
        if (active >= 0) { pick(active); }
        else if (found.length && asked === q) { pick(0); }
        else { search(true).then(function (places) { if (places.length) { pick(0); } }); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });

    var button = box.querySelector(".map-position");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { say(attr(box, "msg-unavailable")); return; }
      say(attr(box, "msg-locating"));
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = pos.coords.latitude, lon = pos.coords.longitude;
        var south = 42.3, west = 12.3, north = 47.0, east = 19.5;
        if (lat < south || lat > north || lon < west || lon > east) { say(attr(box, "msg-outside")); return; }
        say("");
        map.setView([lat, lon], Math.max(map.getZoom(), 14));
        if (onPosition) { onPosition(lat, lon); }
      }, function (err) {
        say(err.code === 1 ? attr(box, "msg-denied") : err.code === 3 ? attr(box, "msg-timeout") : attr(box, "msg-unavailable"));
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // ------------------------------------------------------------ the maps

  function viewMap(el) {
    var map = baseMap(el);
    tools(el, map);
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById("map-status");
    var detail = attr(el, "detail-url");
    var labelReports = attr(el, "label-reports");
    var labelPersons = attr(el, "label-persons");
    var filters = new URLSearchParams(window.location.search);
    filters.delete("page"); filters.delete("q"); filters.delete("sort");
    if (!filters.has("since") && !filters.has("until")) {
      // The last 90 days unless the user chose dates (the filter form shows them);
      // dates cleared in the form mean every report.
      filters.set("since", attr(el, "default-since"));
      filters.set("until", attr(el, "default-until"));
    }
    Array.from(filters.keys()).forEach(function (key) {
      if (!filters.get(key)) { filters.delete(key); }
    });
    var pending = null;

    function load() {
      var b = map.getBounds();
      var params = new URLSearchParams(filters);
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
      var url = attr(el, "points-url") + "?" + params.toString();
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
      }).catch(function (err) { if (status) { status.textContent = "⚠ " + err.message; } });
    }
    map.on("moveend", load);
    load();
  }

  // What the locate endpoint answers for the picked point, in the live region.
  function locator(region, url) {
    var pending = null, timer = null;
    function row(dl, label, value) {
      if (!value) { return; }
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = label; dd.textContent = value;
      dl.appendChild(dt); dl.appendChild(dd);
    }
    return function (lat, lon) {
      clearTimeout(timer);
      if (!region || !url) { return; }
      timer = setTimeout(function () {
        var query = url + "?" + new URLSearchParams({ lat: lat.toFixed(5), lon: lon.toFixed(5) }).toString();
        pending = query;
        region.setAttribute("aria-busy", "true");
        getJSON(query).then(function (a) {
          if (pending !== query) { return; }
          region.textContent = "";
          region.className = "map-locate map-locate-found";
          if (!a.section) { var p = document.createElement("p"); p.textContent = a.message; region.appendChild(p); return; }
          var km = numberFormat(1);
          var dl = document.createElement("dl");
          row(dl, attr(region, "label-section"), a.section_name);
          row(dl, attr(region, "label-unit"), a.unit_name);
          row(dl, attr(region, "label-distance"), km.format(a.distance_km) + " km");
          row(dl, attr(region, "label-crossing"), a.crossing_name + " (" + km.format(a.crossing_distance_km) + " km)");
          row(dl, attr(region, "label-country"), a.country_name);
          region.appendChild(dl);
          region.setAttribute("data-section", a.section);
          region.setAttribute("data-unit", a.unit || "");
        }).catch(function (err) {
          if (pending !== query) { return; }
          region.className = "map-locate map-locate-error";
          region.textContent = (err.body && err.body.detail) || attr(region, "msg-error");
          region.removeAttribute("data-section");
        }).then(function () { region.removeAttribute("aria-busy"); });
      }, 150);
    };
  }

  function coordinateInput(name) {
    return document.getElementById("id_" + name) || document.querySelector("input[name=" + name + "]");
  }

  function pickMap(el) {
    var map = baseMap(el, { map: { keyboard: true } });
    var lat = coordinateInput("latitude");
    var lon = coordinateInput("longitude");
    var tools_box = document.querySelector(".map-tools");
    var region = document.getElementById("map-locate");
    var locate = locator(region, tools_box ? attr(tools_box, "locate-url") : "");
    var marker = null;
    function show(fly) {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isNaN(a) || isNaN(b)) { return; }
      if (marker) { marker.setLatLng([a, b]); }
      else {
        marker = L.marker([a, b], { icon: L.divIcon({ className: "picked-place" }), keyboard: false, interactive: false }).addTo(map);
      }
      // On opening a report's form, the map shows its place; later, only when it is out of view.
      if (fly === "open" || (fly && !map.getBounds().contains([a, b]))) { map.setView([a, b], Math.max(map.getZoom(), 12)); }
      locate(a, b);
    }
    function set(a, b) {
      lat.value = a.toFixed(5);
      lon.value = b.toFixed(5);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      lon.dispatchEvent(new Event("change", { bubbles: true }));
    }
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
    function setCentre() { var c = map.getCenter(); set(c.lat, c.lng); }
    var centre = document.querySelector(".map-set-centre");
    if (centre) { centre.addEventListener("click", setCentre); }
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === el) { e.preventDefault(); setCentre(); }
    });
    if (lat && lon) {
      lat.addEventListener("change", function () { show(true); });
      lon.addEventListener("change", function () { show(true); });
      show("open");
    }
    tools(el, map, function (a, b) { set(a, b); });
  }

  function smallMap(el) {
    var map = baseMap(el, { highlight: attr(el, "section"),
                            map: { scrollWheelZoom: false, keyboard: false, minZoom: 7 } });
    var a = parseFloat(attr(el, "lat")), b = parseFloat(attr(el, "lon"));
    if (isNaN(a) || isNaN(b)) { return; }
    L.marker([a, b], { icon: L.divIcon({ className: "picked-place" }), keyboard: false, interactive: false }).addTo(map);
    map.setView([a, b], 11);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("incident-map");
    if (!el || typeof L === "undefined") { return; }
    var mode = el.getAttribute("data-mode");
    if (mode === "pick") { pickMap(el); } else if (mode === "small") { smallMap(el); } else { viewMap(el); }
  });
})();
