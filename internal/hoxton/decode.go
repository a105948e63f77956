package hoxton

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// What a decoded answer may cost. MaxResponseBytes bounds an answer on the wire, but
// not once decoded: a 4 MiB list of empty objects, `[{},{},…]`, holds 1.4 million
// items, and each becomes a whole wire struct (hundreds of bytes of strings, pointers
// and slice headers) or a map: hundreds of MiB from one answer of a server a tenant
// may choose (its own Connection's apiURL). So an answer is measured before it is
// decoded, by a pass over its bytes that allocates nothing, and refused when it
// would cost more than these bounds.
const (
	// MaxListItems bounds the items of one list answer. No organisation holds more
	// objects of one kind (cameras, users, links of one owner); the structs of as
	// many items take a few MiB.
	MaxListItems = 10000
	// MaxDecodedBytes bounds what one answer may take once decoded, estimated as
	// decodedBytesPerValue for each JSON value at every depth, so that single
	// objects are bounded too (a map[string]any field holding `[{},{},…]`).
	MaxDecodedBytes = 32 << 20
	// decodedBytesPerValue is what one JSON value costs decoded at worst: measured,
	// an empty object in a []any (a map header and its interface) takes about 64
	// bytes; a number in a []any about 22, an empty struct field nothing.
	decodedBytesPerValue = 64
)

// ErrAnswerRefused is wrapped by the errors of success answers the client refuses to
// use: too costly to decode, empty where an object was asked for, or another object
// than the one asked for. They are Terminal: the same request gets the same answer.
var ErrAnswerRefused = errors.New("answer refused")

// answerShape is what a pass over a valid JSON answer finds.
type answerShape struct {
	values int // JSON values at every depth, the answer itself included
	items  int // elements of the answer when it is an array, -1 otherwise
}

// shapeOf counts the values of data, which must be valid JSON (json.Valid). A value
// starts the answer, follows a comma, or is the first thing inside a bracket or brace
// (an object member counts once: its key and value become one map entry).
func shapeOf(data []byte) answerShape {
	s := answerShape{values: 1, items: -1}
	depth := 0
	opened := false // the last token opened an array or object
	inString, escaped := false, false
	for _, b := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		if isJSONSpace(b) {
			continue
		}
		if opened {
			opened = false
			if b != ']' && b != '}' {
				s.count(depth)
			}
		}
		switch b {
		case '"':
			inString = true
		case '[', '{':
			if depth == 0 && b == '[' {
				s.items = 0
			}
			depth++
			opened = true
		case ']', '}':
			depth--
		case ',':
			s.count(depth)
		}
	}
	return s
}

// count records one more value inside a container at depth.
func (s *answerShape) count(depth int) {
	s.values++
	if depth == 1 && s.items >= 0 {
		s.items++
	}
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// checkCost returns the reason data may not be decoded, or "" when it may. It says
// how large the answer is, never what it holds.
func checkCost(data []byte) string {
	if !json.Valid(data) {
		return "" // json.Unmarshal reports it, before allocating anything
	}
	s := shapeOf(data)
	if s.items > MaxListItems {
		return fmt.Sprintf("HoxtonAi answered a list of %d items, more than the %d allowed", s.items, MaxListItems)
	}
	if cost := s.values * decodedBytesPerValue; cost > MaxDecodedBytes {
		return fmt.Sprintf("HoxtonAi answered %d JSON values, about %d MiB once decoded, more than the %d MiB allowed",
			s.values, cost>>20, MaxDecodedBytes>>20)
	}
	return ""
}

// refused returns the Terminal error of a success answer the client will not use.
func refused(method, path, resource string, status int, msg string) *APIError {
	return &APIError{StatusCode: status, Method: method, Path: path, Resource: resource, Message: msg, Err: ErrAnswerRefused}
}

// Messages of refused answers to a GET of one object.
const (
	// MsgEmptyAnswer: a GET answered with no body would otherwise read as a zero
	// object, with every field empty.
	MsgEmptyAnswer = "HoxtonAi answered without a body where the contract promises the object"
	// MsgOtherObject: an answer holding another object than the one asked for would
	// otherwise be taken for it (an OAuth client found anew at every reconcile).
	MsgOtherObject = "HoxtonAi answered with another object than the one asked for"
)

// decodeObject reads the answer to a GET of the object id into out, after checking
// that the answer is that object: idField (the contract's name of the id, "id" for
// most objects) holds id. Assumption A16: every object answered carries its id.
func decodeObject(path, resource, idField, id string, raw json.RawMessage, out any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return &APIError{StatusCode: http.StatusOK, Method: http.MethodGet, Path: path, Resource: resource, Message: MsgDecode, Err: err}
	}
	var got string
	if json.Unmarshal(fields[idField], &got) != nil || got != id {
		return refused(http.MethodGet, path, resource, http.StatusOK, MsgOtherObject)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &APIError{StatusCode: http.StatusOK, Method: http.MethodGet, Path: path, Resource: resource, Message: MsgDecode, Err: err}
	}
	return nil
}
