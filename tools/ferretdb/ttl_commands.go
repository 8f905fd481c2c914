package main

import (
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/bson"
)

// The commands the TTL layer takes part in. Each runs under its collection's (or database's)
// lock, so reading the existing indexes and then changing them is one step.

func (t *ttlIndexes) intercept(req *request, backend *conn) (bool, [][]byte, error) {
	body := bson.Raw(req.body)
	coll, _ := body.Lookup(req.command).StringValueOK()
	switch req.command {
	case "createIndexes":
		replies, err := t.createIndexes(req, backend, coll)
		return true, replies, err
	case "listIndexes":
		replies, err := backend.exchange(req.raw)
		if err == nil && len(t.of(req.db, coll)) > 0 {
			t.showTTL(replies, req.db, coll)
		}
		return true, replies, err
	case "collMod":
		if replies, ok, err := t.collMod(req, backend, coll); ok {
			return true, replies, err
		}
	case "dropIndexes", "deleteIndexes":
		replies, err := backend.exchange(req.raw)
		if err == nil && len(t.of(req.db, coll)) > 0 {
			if existing, lerr := listIndexes(backend, req.db, coll); lerr == nil {
				t.keep(req.db, coll, existing)
			}
		}
		return true, replies, err
	case "drop":
		replies, err := backend.exchange(req.raw)
		if err == nil && succeeded(replies[0]) {
			t.forget(func(e ttlIndex) bool { return e.DB == req.db && e.Coll == coll })
		}
		return true, replies, err
	case "dropDatabase":
		replies, err := backend.exchange(req.raw)
		if err == nil && succeeded(replies[0]) {
			t.forget(func(e ttlIndex) bool { return e.DB == req.db })
		}
		return true, replies, err
	case "renameCollection":
		replies, err := backend.exchange(req.raw)
		if err == nil && succeeded(replies[0]) {
			t.renamed(body)
		}
		return true, replies, err
	}
	return false, nil, nil
}

// indexSpec is one entry of createIndexes' `indexes`.
type indexSpec struct {
	name    string
	key     bson.Raw
	seconds int64
	ttl     bool
}

func (t *ttlIndexes) createIndexes(req *request, backend *conn, coll string) ([][]byte, error) {
	body := bson.Raw(req.body)
	array, _ := body.Lookup("indexes").ArrayOK()
	values, _ := array.Values()
	specs := make([]indexSpec, 0, len(values))
	anyTTL := false
	for _, v := range values {
		doc, ok := v.DocumentOK()
		key, hasKey := doc.Lookup("key").DocumentOK()
		if !ok || !hasKey {
			// Malformed: FerretDB gives its own error.
			return backend.exchange(req.raw)
		}
		spec := indexSpec{key: key}
		spec.name, _ = doc.Lookup("name").StringValueOK()
		if raw, err := doc.LookupErr("expireAfterSeconds"); err == nil {
			seconds, problem := validTTL(raw, spec.key)
			if problem != nil {
				return [][]byte{reply(req.raw, problem)}, nil
			}
			spec.seconds, spec.ttl, anyTTL = seconds, true, true
		}
		specs = append(specs, spec)
	}
	known := t.of(req.db, coll)
	if !anyTTL && len(known) == 0 {
		return backend.exchange(req.raw)
	}

	existing, err := listIndexes(backend, req.db, coll)
	if err != nil {
		return nil, err
	}
	t.keep(req.db, coll, existing)
	known = t.of(req.db, coll)
	for _, s := range specs {
		key, exists := existing[s.name]
		had, wasTTL := known[s.name]
		if exists && sameKey(key, s.key) && (wasTTL != s.ttl || had.Seconds != s.seconds) {
			return [][]byte{reply(req.raw, commandError(85, "IndexOptionsConflict", fmt.Sprintf(
				"An existing index has the same name as the requested index. Requested index: %s, existing index: %s",
				describe(s.name, s.key, s.ttl, s.seconds), describe(s.name, key, wasTTL, had.Seconds))))}, nil
		}
	}

	stripped, err := withoutTTL(body)
	if err != nil {
		return nil, err
	}
	forward, err := withBody(req.raw, stripped)
	if err != nil {
		return nil, err
	}
	replies, err := backend.exchange(forward)
	if err != nil || !succeeded(replies[0]) {
		return replies, err
	}
	var added []ttlIndex
	for _, s := range specs {
		if s.ttl {
			field := s.key.Index(0).Key()
			added = append(added, ttlIndex{DB: req.db, Coll: coll, Name: s.name, Field: field, Seconds: s.seconds})
		}
	}
	t.set(added...)
	return replies, nil
}

// validTTL checks expireAfterSeconds as mongod does: a number in [0, 2^31-1] on one field, not _id.
func validTTL(v bson.RawValue, key bson.Raw) (int64, bson.D) {
	n, ok := number(v)
	if !ok || math.IsNaN(n) || n < 0 || n > math.MaxInt32 {
		return 0, commandError(67, "CannotCreateIndex",
			"TTL index 'expireAfterSeconds' option must be a number between 0 and 2147483647")
	}
	fields, _ := key.Elements()
	if len(fields) != 1 {
		return 0, commandError(67, "CannotCreateIndex",
			"TTL indexes are single-field indexes, compound indexes do not support TTL")
	}
	if fields[0].Key() == "_id" {
		return 0, commandError(197, "InvalidIndexSpecificationOption",
			"The field 'expireAfterSeconds' is not valid for an _id index specification")
	}
	return int64(n), nil
}

// withoutTTL returns createIndexes' document with expireAfterSeconds removed from every index.
func withoutTTL(body bson.Raw) ([]byte, error) {
	var doc bson.D
	if err := bson.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	for i := range doc {
		if doc[i].Key != "indexes" {
			continue
		}
		indexes, _ := doc[i].Value.(bson.A)
		for j, spec := range indexes {
			if d, ok := spec.(bson.D); ok {
				indexes[j] = without(d, "expireAfterSeconds")
			}
		}
	}
	return bson.Marshal(doc)
}

func without(d bson.D, key string) bson.D {
	out := make(bson.D, 0, len(d))
	for _, e := range d {
		if e.Key != key {
			out = append(out, e)
		}
	}
	return out
}
