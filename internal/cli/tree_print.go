package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"
)

// statusWidth is how much of a message the tree table shows; -o wide shows it whole.
const statusWidth = 72

// printTree prints the tree as a table whose NAME column draws the tree (wide: with
// the reference field each object hangs by, and whole messages), or as json or yaml.
func printTree(w io.Writer, format string, tree *TreeNode) error {
	switch format {
	case "json":
		data, err := json.MarshalIndent(tree, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(tree)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	wide := format == "wide"
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if wide {
		fmt.Fprintln(tw, "NAME\tVIA\tREADY\tSYNCED\tID\tSTATUS")
	} else {
		fmt.Fprintln(tw, "NAME\tREADY\tSYNCED\tID\tSTATUS")
	}
	for _, row := range treeRows(tree) {
		n := row.node
		synced := n.Synced
		if synced == "" {
			synced = "-"
		}
		status := ""
		if n.Reason != "" || n.Message != "" {
			status = strings.TrimSuffix(n.Reason+": "+oneLine(n.Message), ": ")
		}
		if !wide {
			status = cut(status, statusWidth)
		}
		name := row.prefix + n.Kind + "/" + n.Name
		if wide {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, or(n.Via, "-"), n.Ready, synced, or(n.ID, "-"), status)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, n.Ready, synced, or(n.ID, "-"), status)
		}
	}
	return tw.Flush()
}

// treeRow is a node and the lines that draw its place in the tree.
type treeRow struct {
	prefix string
	node   *TreeNode
}

// treeRows flattens the tree, parents first, drawing branches as `tree` does.
func treeRows(root *TreeNode) []treeRow {
	rows := []treeRow{{node: root}}
	var add func(n *TreeNode, indent string)
	add = func(n *TreeNode, indent string) {
		for i, c := range n.Children {
			branch, next := "├─ ", "│  "
			if i == len(n.Children)-1 {
				branch, next = "└─ ", "   "
			}
			rows = append(rows, treeRow{prefix: indent + branch, node: c})
			add(c, indent+next)
		}
	}
	add(root, "")
	return rows
}

// oneLine keeps a message on its row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cut shortens s to at most n characters, marking the cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
