import Foundation

/// `--format html`: one self-contained page (inline CSS and JS, a Content-Security-Policy that
/// forbids every network request) with a summary (counts, violations by severity and personal
/// fields by category as inline SVG charts, categories by source) and sortable, filterable
/// tables of fields and of violations. Rows are rendered on the server side, so the page reads
/// without JS; the script only sorts and filters. `#q=TEXT&all=1` in the URL pre-fills the filter.
public struct InventoryHTML: InventoryRenderer {
    public init() {}

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static let severityColors: [Violation.Severity: String] = [
        .info: "#8a94a6", .low: "#3b82f6", .medium: "#f59e0b", .high: "#ef4444", .critical: "#7f1d1d",
    ]

    public func render(_ inventory: Inventory) -> String {
        let e = Self.escape
        let s = inventory.summary
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Trawl data inventory</title>
        <style>\(Self.css)</style></head><body>
        <header><h1>Data inventory</h1>
        <p class="meta">\(e(inventory.tool.name)) \(e(inventory.tool.version))\(inventory.policy.map { " · policy " + e($0) } ?? " · no policy")\(inventory.asOf.map { " · as of " + e($0) } ?? "")\(s.complete ? "" : " · <strong>incomplete: \(inventory.errors.count) input error(s)</strong>")</p></header>
        <section id="summary"><h2>Summary</h2><div class="cards">
        \(card("sources", s.sources))\(card("fields", s.fields))\(card("personal fields", s.personalFields))\(card("categories", s.categories.count))\(card("violations", inventory.violations.count))
        </div><div class="charts">
        <figure id="chart-severity"><figcaption>Violations by severity</figcaption>\(severityChart(s))</figure>
        <figure id="chart-categories"><figcaption>Personal fields by category</figcaption>\(categoryChart(s))</figure>
        </div>
        <h3>Categories by source</h3>
        <table id="by-source" class="data"><thead><tr><th>Source</th><th class="num">Personal fields</th><th>Categories (fields)</th></tr></thead><tbody>

        """
        for (source, counts) in inventory.categoriesBySource {
            let list = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "<span class=\"cat\">\(e($0.key)) <b>\($0.value)</b></span>" }.joined(separator: " ")
            let personal = inventory.fields.filter { $0.source == source && $0.isPersonal }.count
            html += "<tr><td>\(e(source))</td><td class=\"num\">\(personal)</td><td>\(list)</td></tr>\n"
        }
        html += "</tbody></table></section>\n"

        html += """
        <section id="fields"><h2>Fields</h2>
        <div class="controls"><input id="field-filter" type="search" placeholder="Filter fields (source, column, category, subject, purpose…)" aria-label="Filter fields">
        <label><input id="field-all" type="checkbox"> include fields without personal data</label> <span id="field-count" class="count"></span></div>
        <table id="fields-table" class="data sortable"><thead><tr>
        <th>Source</th><th>Table</th><th>Column</th><th>Categories</th><th>Sensitivity</th><th>Confidence</th><th class="num">Rows</th><th class="num">Hits</th><th>Example (masked)</th><th>Subjects</th><th>Purposes</th><th>Legal bases</th><th>Retention</th><th>Violations</th>
        </tr></thead><tbody>

        """
        for f in inventory.fields {
            let severity = f.severity.map { " <span class=\"sev sev-\($0.rawValue)\">\($0.rawValue)</span>" } ?? ""
            let also = f.alsoFound.isEmpty ? "" : " <span class=\"also\">also: \(e(f.alsoFound.joined(separator: ", ")))</span>"
            let subjects = f.subjects.joined(separator: ", ") + (f.basis == "inferred" ? " (inferred)" : "")
            html += "<tr data-personal=\"\(f.isPersonal ? 1 : 0)\"><td>\(e(f.source))</td><td>\(e(f.table ?? ""))</td><td>\(e(f.column))</td>"
            html += "<td>\(f.categories.map { "<span class=\"cat\">\(e($0))</span>" }.joined(separator: " "))\(also)</td>"
            html += "<td>\(e(f.sensitivity ?? ""))</td><td>\(e(f.confidence?.description ?? ""))</td><td class=\"num\">\(f.rows)</td><td class=\"num\">\(f.hits)</td>"
            html += "<td><code>\(e(f.example ?? ""))</code></td><td>\(e(subjects))</td><td>\(e(f.purposes.joined(separator: ", ")))</td>"
            html += "<td>\(e(f.legalBases.joined(separator: ", ")))</td><td class=\"small\">\(e(f.retention.joined(separator: " | ")))</td>"
            html += "<td data-sort=\"\(f.severity.map { Violation.Severity.allCases.firstIndex(of: $0) ?? 0 } ?? -1)\">\(e(f.violations.joined(separator: ", ")))\(severity)</td></tr>\n"
        }
        html += "</tbody></table></section>\n"

        html += """
        <section id="violations"><h2>Violations</h2>
        <div class="controls"><input id="violation-filter" type="search" placeholder="Filter violations" aria-label="Filter violations"> <span id="violation-count" class="count"></span></div>
        <table id="violations-table" class="data sortable"><thead><tr>
        <th>Severity</th><th>Kind</th><th>Source</th><th>Table</th><th>Field</th><th>Category</th><th>Subjects</th><th>Message</th><th>Policy reference</th>
        </tr></thead><tbody>

        """
        for v in inventory.violations {
            let rank = Violation.Severity.allCases.firstIndex(of: v.severity) ?? 0
            html += "<tr><td data-sort=\"\(rank)\"><span class=\"sev sev-\(v.severity.rawValue)\">\(v.severity.rawValue)</span></td><td>\(e(v.kind.rawValue))</td>"
            html += "<td>\(e(v.path))</td><td>\(e(v.table ?? ""))</td><td>\(e(v.field ?? ""))</td><td>\(e(v.category ?? ""))</td>"
            html += "<td>\(e(v.subjects.joined(separator: ", ") + (v.inferred && !v.subjects.isEmpty ? " (inferred)" : "")))</td><td>\(e(v.message))</td><td class=\"small\">\(e(v.reference))</td></tr>\n"
        }
        html += "</tbody></table></section>\n"
        if !inventory.errors.isEmpty {
            html += "<section id=\"errors\"><h2>Inputs not read completely</h2><ul>"
            for err in inventory.errors { html += "<li><code>\(e(err.path))</code>: \(e(err.message))</li>" }
            html += "</ul></section>\n"
        }
        html += "<script>\(Self.script)</script></body></html>\n"
        return html
    }

    func card(_ label: String, _ value: Int) -> String {
        "<div class=\"card\"><span class=\"value\">\(value)</span><span class=\"label\">\(label)</span></div>"
    }

    func severityChart(_ s: Inventory.Summary) -> String {
        let severities = Violation.Severity.allCases.reversed()
        let top = max(1, severities.map { s.violationsBySeverity[$0.rawValue] ?? 0 }.max() ?? 1)
        var svg = "<svg width=\"360\" height=\"\(severities.count * 26 + 8)\" role=\"img\" aria-label=\"Violations by severity\">"
        for (i, sev) in severities.enumerated() {
            let n = s.violationsBySeverity[sev.rawValue] ?? 0
            let width = Int(Double(n) / Double(top) * 220)
            let y = i * 26 + 4
            svg += "<text x=\"0\" y=\"\(y + 15)\" class=\"axis\">\(sev.rawValue)</text>"
            svg += "<rect x=\"70\" y=\"\(y)\" width=\"\(max(width, n > 0 ? 2 : 0))\" height=\"20\" rx=\"3\" fill=\"\(Self.severityColors[sev] ?? "#888")\"><title>\(sev.rawValue): \(n)</title></rect>"
            svg += "<text x=\"\(76 + width)\" y=\"\(y + 15)\" class=\"axis\">\(n)</text>"
        }
        return svg + "</svg>"
    }

    func categoryChart(_ s: Inventory.Summary) -> String {
        let top = s.categories.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(12)
        let most = max(1, top.first?.value ?? 1)
        var svg = "<svg width=\"680\" height=\"\(max(1, top.count) * 22 + 8)\" role=\"img\" aria-label=\"Personal fields by category\">"
        for (i, (category, n)) in top.enumerated() {
            let y = i * 22 + 4
            let width = Int(Double(n) / Double(most) * 200)
            svg += "<text x=\"420\" y=\"\(y + 13)\" text-anchor=\"end\" class=\"axis\">\(Self.escape(category))</text>"
            svg += "<rect x=\"426\" y=\"\(y)\" width=\"\(width)\" height=\"16\" rx=\"3\" fill=\"#0f766e\"><title>\(Self.escape(category)): \(n)</title></rect>"
            svg += "<text x=\"\(432 + width)\" y=\"\(y + 13)\" class=\"axis\">\(n)</text>"
        }
        return svg + "</svg>"
    }

    static let css = """
    body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 24px 40px;color:#1f2937;background:#fafafa}
    h1{margin:16px 0 4px}h2{margin-top:28px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}.meta{color:#6b7280;margin:0}
    .cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 16px;min-width:110px}
    .card .value{display:block;font-size:26px;font-weight:600}.card .label{color:#6b7280}
    .charts{display:flex;gap:32px;flex-wrap:wrap;margin-top:16px}figure{margin:0;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px}
    figcaption{font-weight:600;margin-bottom:6px}.axis{font-size:12px;fill:#374151}
    table.data{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
    table.data th,table.data td{border:1px solid #e5e7eb;padding:4px 6px;vertical-align:top;text-align:left}
    table.data th{background:#f3f4f6;position:sticky;top:0}table.sortable th{cursor:pointer;user-select:none}
    th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}.num{text-align:right}.small{font-size:12px;color:#4b5563}
    .cat{display:inline-block;background:#ecfeff;border:1px solid #a5f3fc;border-radius:4px;padding:0 4px;margin:1px;font-size:12px}
    .also{color:#6b7280;font-size:12px}.sev{border-radius:4px;padding:0 5px;color:#fff;font-size:12px}
    .sev-info{background:#8a94a6}.sev-low{background:#3b82f6}.sev-medium{background:#f59e0b}.sev-high{background:#ef4444}.sev-critical{background:#7f1d1d}
    .controls{margin:8px 0;display:flex;gap:12px;align-items:center}.controls input[type=search]{width:420px;padding:5px}.count{color:#6b7280}
    code{font-size:12px}
    """

    static let script = """
    (function(){
    function terms(q){return q.toLowerCase().split(/\\s+/).filter(function(t){return t.length>0;});}
    function filter(tableId,inputId,countId,allId,noun){
      var table=document.getElementById(tableId),input=document.getElementById(inputId),count=document.getElementById(countId);
      var all=allId?document.getElementById(allId):null,rows=Array.prototype.slice.call(table.tBodies[0].rows);
      function apply(){var ts=terms(input.value),shown=0;
        rows.forEach(function(r){var text=r.textContent.toLowerCase();
          var ok=ts.every(function(t){return text.indexOf(t)>=0;})&&(!all||all.checked||r.getAttribute('data-personal')==='1');
          r.hidden=!ok;if(ok)shown++;});
        count.textContent=shown+' of '+rows.length+' '+noun;}
      input.addEventListener('input',apply);if(all)all.addEventListener('change',apply);return apply;}
    function sortable(table){var ths=table.tHead.rows[0].cells;
      Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
        var asc=!th.classList.contains('asc');Array.prototype.forEach.call(ths,function(h){h.classList.remove('asc','desc');});
        th.classList.add(asc?'asc':'desc');var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
        function key(r){var c=r.cells[i],s=c.getAttribute('data-sort');var t=s!==null?s:c.textContent.trim();var n=parseFloat(t);return isNaN(n)||!/^-?[0-9.]+$/.test(t)?t.toLowerCase():n;}
        rows.sort(function(a,b){var x=key(a),y=key(b);var r=(typeof x===typeof y)?(x<y?-1:x>y?1:0):(typeof x==='number'?-1:1);return asc?r:-r;});
        rows.forEach(function(r){body.appendChild(r);});});});}
    var applyFields=filter('fields-table','field-filter','field-count','field-all','fields');
    var applyViolations=filter('violations-table','violation-filter','violation-count',null,'violations');
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),sortable);
    var params=new URLSearchParams(location.hash.slice(1));
    if(params.get('q')){document.getElementById('field-filter').value=params.get('q');document.getElementById('violation-filter').value=params.get('q');}
    if(params.get('all')==='1')document.getElementById('field-all').checked=true;
    applyFields();applyViolations();
    })();
    """
}
