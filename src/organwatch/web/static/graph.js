// Graph explorer: draws /api/graph with cytoscape; the server-rendered list of edges says the same without it.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var detail = document.getElementById("graph-detail");
  fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (g) {
      var elements = g.nodes.map(function (n) {
        return { data: { id: n.id, label: n.name, type: n.type, root: n.depth === 0 ? 1 : 0 } };
      }).concat(g.edges.map(function (e, i) {
        return { data: { id: "e" + i, source: e.source, target: e.target, sources: e.sources,
                         label: String(e.sources), stated: e.stated ? 1 : 0, index: i } };
      }));
      var cy = cytoscape({
        container: box, elements: elements, layout: { name: "cose", animate: false },
        style: [
          { selector: "node", style: { "label": "data(label)", "font-size": 11, "background-color": "#5b6b8c",
                                       "width": 18, "height": 18 } },
          { selector: "node[type = 'organization']", style: { "shape": "round-rectangle", "background-color": "#7a5b8c" } },
          { selector: "node[type = 'place']", style: { "shape": "diamond", "background-color": "#5b8c6b" } },
          { selector: "node[root = 1]", style: { "border-width": 3, "border-color": "#b04" } },
          { selector: "edge", style: { "label": "data(label)", "font-size": 9, "curve-style": "bezier",
                                       "width": "mapData(sources, 1, 10, 1, 6)", "line-color": "#99a" } },
          { selector: "edge[stated = 0]", style: { "line-style": "dashed" } }
        ]
      });
      box.dataset.nodes = String(cy.nodes().length);
      cy.on("tap", "node", function (ev) { window.location = "/entities/" + encodeURIComponent(ev.target.id()); });
      cy.on("tap", "edge", function (ev) {
        var e = g.edges[ev.target.data("index")];
        detail.replaceChildren();
        var head = document.createElement("p");
        head.textContent = e.source_name + " — " + e.target_name + ": " + e.kinds.join(", ") + " · " +
          e.sources + " independent source(s)";
        detail.appendChild(head);
        var list = document.createElement("ul");
        e.evidence.forEach(function (c) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = "/documents/" + c.document_id + "?hl=" + c.start + "-" + c.end + "#hit";
          a.textContent = "“" + c.quote + "”";
          li.appendChild(a);
          list.appendChild(li);
        });
        detail.appendChild(list);
        detail.hidden = false;
      });
    });
});
