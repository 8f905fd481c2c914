package main

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
)

// Fields any command may carry besides its own options.
var genericFields = setOf("lsid", "txnNumber", "writeConcern", "comment", "apiVersion", "apiStrict",
	"apiDeprecationErrors", "maxTimeMS")

// collMod answers MongoDB's way to change (or set) an index's expireAfterSeconds:
// {collMod: coll, index: {name | keyPattern, expireAfterSeconds}}. Other collMod options go to
// FerretDB (false: not handled here).
func (t *ttlIndexes) collMod(req *request, backend *conn, coll string) ([][]byte, bool, error) {
	body := bson.Raw(req.body)
	index, ok := body.Lookup("index").DocumentOK()
	if !ok {
		return nil, false, nil
	}
	if _, err := index.LookupErr("expireAfterSeconds"); err != nil {
		return nil, false, nil
	}
	fields, _ := body.Elements()
	for _, f := range fields {
		if k := f.Key(); k != "collMod" && k != "index" && !genericFields[k] && !strings.HasPrefix(k, "$") {
			return nil, false, nil
		}
	}
	options, _ := index.Elements()
	for _, o := range options {
		if k := o.Key(); k != "name" && k != "keyPattern" && k != "expireAfterSeconds" {
			return nil, false, nil
		}
	}

	existing, err := listIndexes(backend, req.db, coll)
	if err != nil {
		return nil, true, err
	}
	ns := req.db + "." + coll
	if len(existing) == 0 {
		return [][]byte{reply(req.raw, commandError(26, "NamespaceNotFound", "ns does not exist: "+ns))}, true, nil
	}
	name, byName := index.Lookup("name").StringValueOK()
	var key bson.Raw
	if byName {
		key = existing[name]
	} else if pattern, ok := index.Lookup("keyPattern").DocumentOK(); ok {
		for n, k := range existing {
			if sameKey(k, pattern) {
				name, key = n, k
			}
		}
	}
	if key == nil {
		return [][]byte{reply(req.raw, commandError(27, "IndexNotFound",
			fmt.Sprintf("cannot find index %s for ns %s", index.String(), ns)))}, true, nil
	}
	seconds, problem := validTTL(index.Lookup("expireAfterSeconds"), key)
	if problem != nil {
		return [][]byte{reply(req.raw, problem)}, true, nil
	}
	old, had := t.of(req.db, coll)[name]
	t.set(ttlIndex{DB: req.db, Coll: coll, Name: name, Field: key.Index(0).Key(), Seconds: seconds})
	answer := bson.D{}
	if had {
		answer = append(answer, bson.E{Key: "expireAfterSeconds_old", Value: int32(old.Seconds)})
	}
	answer = append(answer, bson.E{Key: "expireAfterSeconds_new", Value: int32(seconds)}, bson.E{Key: "ok", Value: 1.0})
	return [][]byte{reply(req.raw, answer)}, true, nil
}

// renamed moves TTL entries along with a renamed collection (MongoDB keeps its indexes).
func (t *ttlIndexes) renamed(body bson.Raw) {
	from, _ := body.Lookup("renameCollection").StringValueOK()
	to, _ := body.Lookup("to").StringValueOK()
	fromDB, fromColl, _ := strings.Cut(from, ".")
	toDB, toColl, _ := strings.Cut(to, ".")
	moved := []ttlIndex{}
	for _, e := range t.of(fromDB, fromColl) {
		e.DB, e.Coll = toDB, toColl
		moved = append(moved, e)
	}
	t.forget(func(e ttlIndex) bool {
		return (e.DB == fromDB && e.Coll == fromColl) || (e.DB == toDB && e.Coll == toColl)
	})
	t.set(moved...)
}
