package main

import (
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
)

// FerretDB v1 runs an update as read, modify in Go, write back, with nothing held in between:
// two concurrent $inc of one document lose one, and a conditional update ({lease: 0}) can match
// for several callers. MongoDB applies each write to a document atomically. The front restores
// that by running the commands that change a collection one at a time per collection, across all
// connections, from the moment the request is forwarded until FerretDB has replied. Reads are not
// held back: MongoDB readers see a document either before or after a write, and so do these.

// scope is what one command must hold.
type scope struct {
	exclusive []string // whole databases, sorted (dropDatabase, renameCollection, unknown commands)
	db, coll  string   // one collection (insert, update, delete, findAndModify, index changes...)
}

// Commands that change one collection, named by their first field.
var collectionWrites = setOf(
	"insert", "update", "delete", "findAndModify", "findandmodify",
	"create", "createIndexes", "dropIndexes", "deleteIndexes", "drop", "collMod", "compact",
)

// Commands that change nothing in a collection (or that FerretDB answers without its backend).
var unlocked = setOf(
	"find", "getMore", "killCursors", "aggregate", "count", "distinct", "explain",
	"listIndexes", "listCollections", "listDatabases", "collStats", "dbStats", "dbstats",
	"dataSize", "validate", "hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo",
	"serverStatus", "hostInfo", "whatsmyuri", "getLog", "getParameter", "getCmdLineOpts",
	"connectionStatus", "currentOp", "listCommands", "saslStart", "saslContinue", "logout",
	"endSessions", "killSessions", "startSession", "refreshSessions", "usersInfo",
	"getFreeMonitoringStatus", "setFreeMonitoring", "debugError",
	"abortTransaction", "commitTransaction",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// scopeOf decides what a command holds. Anything not known to be harmless locks its whole
// database: slower, never wrong.
func scopeOf(command string, body bson.Raw, db string) scope {
	if unlocked[command] {
		return scope{}
	}
	if collectionWrites[command] {
		if coll, ok := body.Lookup(command).StringValueOK(); ok {
			return scope{db: db, coll: coll}
		}
		return scope{exclusive: []string{db}}
	}
	if command == "renameCollection" {
		dbs := []string{db}
		for _, field := range []string{"renameCollection", "to"} {
			if ns, ok := body.Lookup(field).StringValueOK(); ok {
				name, _, _ := strings.Cut(ns, ".")
				dbs = append(dbs, name)
			}
		}
		slices.Sort(dbs)
		return scope{exclusive: slices.Compact(dbs)}
	}
	return scope{exclusive: []string{db}}
}

// commandOf returns a command document's name (its first field) and its database ($db).
func commandOf(body bson.Raw) (string, string) {
	elems, err := body.Elements()
	if err != nil || len(elems) == 0 {
		return "", ""
	}
	db, _ := body.Lookup("$db").StringValueOK()
	return elems[0].Key(), db
}

// lockTable holds a read/write lock per database and a mutex per collection. A collection write
// holds its database for reading and its collection's mutex; a database-wide command holds its
// databases for writing, in name order, so no two commands wait for each other in a cycle.
type lockTable struct {
	mu  sync.Mutex
	dbs map[string]*dbLock
}

type dbLock struct {
	rw    sync.RWMutex
	colls map[string]*sync.Mutex
}

func newLockTable() *lockTable { return &lockTable{dbs: map[string]*dbLock{}} }

func (t *lockTable) database(name string) *dbLock {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.dbs[name]
	if d == nil {
		d = &dbLock{colls: map[string]*sync.Mutex{}}
		t.dbs[name] = d
	}
	return d
}

func (t *lockTable) collection(d *dbLock, name string) *sync.Mutex {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := d.colls[name]
	if m == nil {
		m = &sync.Mutex{}
		d.colls[name] = m
	}
	return m
}

// acquire takes what s needs and returns the function that gives it back.
func (t *lockTable) acquire(s scope) func() {
	switch {
	case len(s.exclusive) > 0:
		held := make([]*dbLock, 0, len(s.exclusive))
		for _, name := range s.exclusive {
			d := t.database(name)
			d.rw.Lock()
			held = append(held, d)
		}
		return func() {
			for i := len(held) - 1; i >= 0; i-- {
				held[i].rw.Unlock()
			}
		}
	case s.coll != "":
		d := t.database(s.db)
		d.rw.RLock()
		m := t.collection(d, s.coll)
		m.Lock()
		return func() {
			m.Unlock()
			d.rw.RUnlock()
		}
	default:
		return func() {}
	}
}

// number reads a BSON number of any width.
func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bsontype.Int32:
		return float64(v.Int32()), true
	case bsontype.Int64:
		return float64(v.Int64()), true
	case bsontype.Double:
		return v.Double(), true
	default:
		return 0, false
	}
}
