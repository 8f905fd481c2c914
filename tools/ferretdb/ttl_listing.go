package main

import (
	"bytes"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
)

// Reading a collection's indexes, and showing TTL options in listIndexes replies.

// showTTL adds expireAfterSeconds to the TTL indexes in a listIndexes reply. (listIndexes takes
// no lock, so its reply may predate a concurrent change: it never prunes the registry.)
func (t *ttlIndexes) showTTL(replies [][]byte, db, coll string) {
	body := replyBody(replies[0])
	if body == nil || !succeeded(replies[0]) {
		return
	}
	var doc bson.D
	if err := bson.Unmarshal(body, &doc); err != nil {
		return
	}
	known := t.of(db, coll)
	for i := range doc {
		cursor, ok := doc[i].Value.(bson.D)
		if doc[i].Key != "cursor" || !ok {
			continue
		}
		for j := range cursor {
			batch, ok := cursor[j].Value.(bson.A)
			if cursor[j].Key != "firstBatch" || !ok {
				continue
			}
			for k, index := range batch {
				spec, _ := index.(bson.D)
				if e, ok := known[stringField(spec, "name")]; ok {
					batch[k] = append(spec, bson.E{Key: "expireAfterSeconds", Value: int32(e.Seconds)})
				}
			}
		}
	}
	rewritten, err := bson.Marshal(doc)
	if err != nil {
		return
	}
	if out, err := withBody(replies[0], rewritten); err == nil {
		replies[0] = out
	}
}

// listIndexes returns a collection's indexes, name -> key (none when it does not exist).
func listIndexes(backend *conn, db, coll string) (map[string]bson.Raw, error) {
	indexes := map[string]bson.Raw{}
	cmd := bson.D{{Key: "listIndexes", Value: coll}, {Key: "$db", Value: db}}
	batchField := "firstBatch"
	for {
		rep, err := backend.command(cmd)
		if err != nil {
			return nil, err
		}
		body := replyBody(rep)
		if !succeeded(rep) {
			if code, _ := number(body.Lookup("code")); code == 26 { // NamespaceNotFound
				return indexes, nil
			}
			return nil, fmt.Errorf("listIndexes %s.%s: %s", db, coll, body.Lookup("errmsg").String())
		}
		array, _ := body.Lookup("cursor", batchField).ArrayOK()
		batch, _ := array.Values()
		for _, v := range batch {
			spec, _ := v.DocumentOK()
			name, _ := spec.Lookup("name").StringValueOK()
			indexes[name], _ = spec.Lookup("key").DocumentOK()
		}
		id, _ := number(body.Lookup("cursor", "id"))
		if id == 0 {
			return indexes, nil
		}
		cmd = bson.D{{Key: "getMore", Value: int64(id)}, {Key: "collection", Value: coll}, {Key: "$db", Value: db}}
		batchField = "nextBatch"
	}
}

// sameKey compares index keys field by field, numbers by value ({a: 1} equals {a: 1.0}).
func sameKey(a, b bson.Raw) bool {
	ea, errA := a.Elements()
	eb, errB := b.Elements()
	if errA != nil || errB != nil || len(ea) != len(eb) {
		return false
	}
	for i := range ea {
		if ea[i].Key() != eb[i].Key() {
			return false
		}
		va, vb := ea[i].Value(), eb[i].Value()
		na, okA := number(va)
		nb, okB := number(vb)
		if okA && okB {
			if na != nb {
				return false
			}
		} else if va.Type != vb.Type || !bytes.Equal(va.Value, vb.Value) {
			return false
		}
	}
	return true
}

func describe(name string, key bson.Raw, ttl bool, seconds int64) string {
	s := fmt.Sprintf("{ key: %s, name: %q", key.String(), name)
	if ttl {
		s += fmt.Sprintf(", expireAfterSeconds: %d", seconds)
	}
	return s + " }"
}

func stringField(d bson.D, key string) string {
	for _, e := range d {
		if e.Key == key {
			s, _ := e.Value.(string)
			return s
		}
	}
	return ""
}
