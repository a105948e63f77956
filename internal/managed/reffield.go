package managed

import "github.com/hoxton-operator/hoxton-operator/internal/hoxton"

// RefField is the handle of one reference field of a kind ("siteRef"), declared once
// with NewRefField and used wherever the field is meant: its Reference, its LinkSet,
// Refs.ID and Refs.IDs, and the links AtProvider and export read. It is a struct, so
// that a string cannot stand in for it: a misspelt field does not compile.
type RefField struct{ name string }

// NewRefField declares the handle of the spec field name.
func NewRefField(name string) RefField { return RefField{name: name} }

// String is the field's name, as conditions, diffs and indexes show it.
func (f RefField) String() string { return f.name }

// isZero reports whether f names no field (an unset SameSiteAs).
func (f RefField) isZero() bool { return f.name == "" }

// Links are an object's links by the reference field they are made from.
type Links = map[RefField][]hoxton.Link
