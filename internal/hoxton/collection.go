package hoxton

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// State is the lifecycle state of a soft-deletable object.
type State string

// The lifecycle states of the contract's State enum.
const (
	// StateActive is the state of a live object.
	StateActive State = "active"
	// StateDeleted is the state of a soft-deleted object (DELETE sets it).
	StateDeleted State = "deleted"
)

// collection is the recurring upsert / get / soft-delete / list shape of a
// configuration resource stored at one collection path.
type collection[T any] struct {
	// path is the collection path, for example "/sites".
	path string
	// resource is the metrics label, for example "sites".
	resource string
}

// newCollection returns the collection stored at "/"+resource.
func newCollection[T any](resource string) collection[T] {
	return collection[T]{path: "/" + resource, resource: resource}
}

// put upserts v with PUT on the collection path: 201 means created, 204 updated.
// Assumption A8: a PUT naming a soft-deleted object answers 410, returned as Gone.
func (col collection[T]) put(ctx context.Context, c *Client, v T) (PutResult, error) {
	status, err := c.do(ctx, http.MethodPut, col.resource, col.path, nil, v, nil)
	if err != nil {
		return PutResult{}, err
	}
	return PutResult{Created: status == http.StatusCreated}, nil
}

// get reads one object. Assumption A1: every item path answers GET, and a soft-deleted
// object comes back as 404 (NotFound) or 200 with state deleted, which the request
// helper reports as Gone; IgnoreGone treats both alike.
func (col collection[T]) get(ctx context.Context, c *Client, id string) (*T, error) {
	if id == "" {
		return nil, invalid(http.MethodGet, col.path+"/", col.resource, msgEmptyID)
	}
	out := new(T)
	if _, err := c.do(ctx, http.MethodGet, col.resource, itemPath(col.path, id), nil, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}

// delete soft-deletes one object. 404 and 410 are returned as errors; finalizers use
// IgnoreGone.
func (col collection[T]) delete(ctx context.Context, c *Client, id string) error {
	if id == "" {
		return invalid(http.MethodDelete, col.path+"/", col.resource, msgEmptyID)
	}
	_, err := c.do(ctx, http.MethodDelete, col.resource, itemPath(col.path, id), nil, nil, nil)
	return err
}

// list reads the collection with the given filters and returns the active objects.
//
// Assumption A2: collections answer GET /<collection>?<filters> with a plain JSON array
// of active objects. Objects with state deleted are dropped all the same, so that a
// service that lists them cannot make a caller adopt a deleted object.
func (col collection[T]) list(ctx context.Context, c *Client, query url.Values) ([]T, error) {
	var raw []json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, col.resource, col.path, query, nil, &raw); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raw))
	for _, item := range raw {
		if isDeletedObject(item) {
			continue
		}
		var v T
		if err := json.Unmarshal(item, &v); err != nil {
			return nil, &APIError{StatusCode: http.StatusOK, Method: http.MethodGet, Path: col.path,
				Resource: col.resource, Message: MsgDecode, Err: err}
		}
		out = append(out, v)
	}
	return out, nil
}

// filters builds list query parameters from name/value pairs, leaving out empty values.
func filters(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

// orgOr returns id, or the client's organisation when id is empty.
func (c *Client) orgOr(id string) string {
	if id == "" {
		return c.org
	}
	return id
}

// DateLayout is the wire layout of the contract's `date` format.
const DateLayout = "2006-01-02"

// Date is a calendar day in the contract's `date` format, YYYY-MM-DD.
type Date string

// DateOf returns the day of t (in t's location) as a Date.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// Time parses d as midnight UTC of its day.
func (d Date) Time() (time.Time, error) { return time.Parse(DateLayout, string(d)) }
