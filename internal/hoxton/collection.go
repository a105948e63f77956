package hoxton

import (
	"bytes"
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

// Scope says how a collection's objects belong to the organisation.
type Scope int

const (
	// ListedByOrganisation: the collection is listed with ?organisationId= and its
	// bodies do not carry the organisation (monitors, annotations).
	ListedByOrganisation Scope = iota
	// CarriesOrganisation: the bodies carry organisationId too, which Put fills with
	// the client's organisation when it is empty (sites, alerts, notification groups).
	CarriesOrganisation
)

// wireID is the field holding an object's id, for every object but OAuth clients and
// reports.
const wireID = "id"

// outputOnly are the fields the service sets and a PUT body never carries.
var outputOnly = []string{"createdAt", "deletedAt"}

// Collection is the shape every upserted configuration resource shares: PUT on the
// collection path upserts (201 created, 204 updated), GET and DELETE on the item path
// read and soft-delete, GET on the collection path lists. T is the wire struct.
type Collection[T any] struct {
	// Path is the collection path, for example "/sites".
	Path string
	// Resource is the metrics label, for example "sites".
	Resource string
	scope    Scope
}

// NewCollection returns the collection stored at "/"+resource.
func NewCollection[T any](resource string, scope Scope) Collection[T] {
	return Collection[T]{Path: "/" + resource, Resource: resource, scope: scope}
}

// Put upserts v. Output-only fields are dropped from the body, and an empty
// organisationId is filled with the client's for collections that carry it.
// Assumption A8: a PUT naming a soft-deleted object answers 410, returned as Gone.
func (col Collection[T]) Put(ctx context.Context, c *Client, v T) (PutResult, error) {
	body, err := putBody(v, col.scope == CarriesOrganisation, c.org)
	if err != nil {
		return PutResult{}, &APIError{Method: http.MethodPut, Path: col.Path, Resource: col.Resource, Message: MsgEncode, Err: err}
	}
	return put(ctx, c, col.Resource, col.Path, body)
}

// Get reads one object. Assumption A1: every item path answers GET, and a soft-deleted
// object comes back as 404 (NotFound) or 200 with state deleted, which the request
// helper reports as Gone; IgnoreGone treats both alike.
func (col Collection[T]) Get(ctx context.Context, c *Client, id string) (*T, error) {
	out := new(T)
	if raw, ok := swept(ctx, c, col.Resource, col.Path, wireID, id); ok {
		return out, decodeObject(itemPath(col.Path, id), col.Resource, wireID, id, raw, out)
	}
	if err := get(ctx, c, col.Resource, col.Path, wireID, id, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Delete soft-deletes one object. 404 and 410 are returned as errors; finalizers use
// IgnoreGone.
func (col Collection[T]) Delete(ctx context.Context, c *Client, id string) error {
	return del(ctx, c, col.Resource, col.Path, id)
}

// List returns the active objects of the client's organisation that match the
// name/value filter pairs (empty values are left out).
// Assumption A2: GET /<collection>?organisationId=&<filters> lists the organisation's
// active objects.
func (col Collection[T]) List(ctx context.Context, c *Client, filterPairs ...string) ([]T, error) {
	q := filters(append([]string{"organisationId", c.org}, filterPairs...)...)
	return list[T](ctx, c, col.Resource, col.Path, q)
}

// put sends a PUT of body on path: 201 means created, 204 updated.
func put(ctx context.Context, c *Client, resource, path string, body any) (PutResult, error) {
	status, err := c.do(ctx, http.MethodPut, resource, path, nil, body, nil)
	if err != nil {
		return PutResult{}, err
	}
	return PutResult{Created: status == http.StatusCreated}, nil
}

// get reads the object id of the collection at path into out. The answer must be that
// object, its idField holding id: neither an empty answer nor another object is taken
// for it.
func get(ctx context.Context, c *Client, resource, path, idField, id string, out any) error {
	if id == "" {
		return invalid(http.MethodGet, path+"/", resource, msgEmptyID)
	}
	var raw json.RawMessage
	item := itemPath(path, id)
	if _, err := c.do(ctx, http.MethodGet, resource, item, nil, nil, &raw); err != nil {
		return err
	}
	return decodeObject(item, resource, idField, id, raw, out)
}

func del(ctx context.Context, c *Client, resource, path, id string) error {
	if id == "" {
		return invalid(http.MethodDelete, path+"/", resource, msgEmptyID)
	}
	_, err := c.do(ctx, http.MethodDelete, resource, itemPath(path, id), nil, nil, nil)
	return err
}

// list reads a collection and returns its active objects. Objects with state deleted
// are dropped all the same, so that a service that lists them cannot make a caller
// adopt a deleted object.
func list[T any](ctx context.Context, c *Client, resource, path string, query url.Values) ([]T, error) {
	var raw []json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, resource, path, query, nil, &raw); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raw))
	for _, item := range raw {
		if isDeletedObject(item) {
			continue
		}
		var v T
		if err := json.Unmarshal(item, &v); err != nil {
			return nil, &APIError{StatusCode: http.StatusOK, Method: http.MethodGet, Path: path,
				Resource: resource, Message: MsgDecode, Err: err}
		}
		out = append(out, v)
	}
	return out, nil
}

// putBody is v as a JSON object without output-only fields, with organisationId
// filled when the collection carries it.
func putBody(v any, carriesOrg bool, org string) (map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for _, f := range outputOnly {
		delete(m, f)
	}
	if carriesOrg {
		if s, _ := m["organisationId"].(string); s == "" {
			m["organisationId"] = org
		}
	}
	return m, nil
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

// endpoint is a resource path of the hand-written calls (cameras, users, OAuth clients,
// organisations, reports), whose semantics differ from Collection's.
type endpoint[T any] struct {
	path, resource string
	idField        string // the field holding an object's id
	// sweepable endpoints have their polls answered by a list of the organisation's
	// objects (sweep.go); endpoints whose objects may carry a secret are not.
	sweepable bool
}

func newEndpoint[T any](resource string) endpoint[T] {
	return endpoint[T]{path: "/" + resource, resource: resource, idField: wireID}
}

// swept lets a list of the organisation's objects answer the endpoint's polls.
func (e endpoint[T]) swept() endpoint[T] {
	e.sweepable = true
	return e
}

// identifiedBy returns e for objects whose id the contract names field.
func (e endpoint[T]) identifiedBy(field string) endpoint[T] {
	e.idField = field
	return e
}

func (e endpoint[T]) get(ctx context.Context, c *Client, id string) (*T, error) {
	out := new(T)
	if e.sweepable {
		if raw, ok := swept(ctx, c, e.resource, e.path, e.idField, id); ok {
			return out, decodeObject(itemPath(e.path, id), e.resource, e.idField, id, raw, out)
		}
	}
	if err := get(ctx, c, e.resource, e.path, e.idField, id, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (e endpoint[T]) list(ctx context.Context, c *Client, query url.Values) ([]T, error) {
	return list[T](ctx, c, e.resource, e.path, query)
}

func (e endpoint[T]) delete(ctx context.Context, c *Client, id string) error {
	return del(ctx, c, e.resource, e.path, id)
}

func (e endpoint[T]) put(ctx context.Context, c *Client, v T) (PutResult, error) {
	return put(ctx, c, e.resource, e.path, v)
}
