package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/hoxton-operator/hoxton-operator/internal/hoxton"
)

// printReport writes a completed report: json and yaml are the report as the
// API gave it; table and csv have one line per row of reportData. The contract does
// not document the row shape, so the columns are the union of the rows'
// keys, sorted, and values that are not plain strings or numbers are
// printed as compact JSON.
func printReport(out, errOut io.Writer, format string, rep *hoxton.DwellTimeReport) error {
	if format == outputJSON || format == outputYAML {
		return printData(out, format, rep)
	}
	columns, rows := reportTable(rep.ReportData)
	if len(rows) == 0 {
		fmt.Fprintf(errOut, "report %s has no rows for %s up to (not including) %s\n", rep.DwellTimeReportID, rep.StartDate, rep.EndDate)
		return nil
	}
	if format == "csv" {
		w := csv.NewWriter(out)
		if err := w.Write(columns); err != nil {
			return err
		}
		if err := w.WriteAll(rows); err != nil {
			return err
		}
		return w.Error()
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = strings.ToUpper(c)
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// reportTable turns report rows into columns and cells. Rows that are not
// JSON objects get the single column "value".
func reportTable(data []json.RawMessage) (columns []string, rows [][]string) {
	objects := make([]map[string]json.RawMessage, 0, len(data))
	allObjects := true
	seen := map[string]bool{}
	for _, raw := range data {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil || obj == nil {
			allObjects = false
			break
		}
		objects = append(objects, obj)
		for k := range obj {
			seen[k] = true
		}
	}
	if !allObjects {
		rows = make([][]string, 0, len(data))
		for _, raw := range data {
			rows = append(rows, []string{cell(raw)})
		}
		return []string{"value"}, rows
	}
	for k := range seen {
		columns = append(columns, k)
	}
	sort.Strings(columns)
	rows = make([][]string, 0, len(objects))
	for _, obj := range objects {
		row := make([]string, len(columns))
		for i, c := range columns {
			if v, ok := obj[c]; ok {
				row[i] = cell(v)
			}
		}
		rows = append(rows, row)
	}
	return columns, rows
}

// cell renders one value: strings without quotes, null as empty, anything
// else as compact JSON.
func cell(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return ""
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}
