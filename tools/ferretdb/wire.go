package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/bson"
)

// Just enough of MongoDB's wire protocol to read a command's name and namespace, to answer one
// ourselves, and to rewrite one: message framing and OP_MSG sections. Everything else is relayed
// byte for byte.

const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1

	headerLen = 16
	// mongod's maxMessageSizeBytes is 48,000,000; FerretDB's limit is close to it.
	maxMessageLen = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Our own request IDs (commands the front sends for itself) stay clear of drivers' small counters.
var ownRequestID atomic.Int32

func init() { ownRequestID.Store(1 << 30) }

func readMessage(r *bufio.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(size[:])))
	if n < headerLen || n > maxMessageLen {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func requestID(msg []byte) int32 { return int32(binary.LittleEndian.Uint32(msg[4:])) }
func opCode(msg []byte) int32    { return int32(binary.LittleEndian.Uint32(msg[12:])) }

// msgFlags returns an OP_MSG's flag bits (0 for anything else or a truncated message).
func msgFlags(msg []byte) uint32 {
	if opCode(msg) != opMsg || len(msg) < headerLen+4 {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[headerLen:])
}

// section is one OP_MSG section: kind 0 (the command document) or kind 1 (a document sequence).
type section struct {
	kind byte
	data []byte // the document (kind 0) or size, identifier and documents (kind 1)
}

// parseMsg splits an OP_MSG into its flags and sections and returns the command document.
func parseMsg(msg []byte) (uint32, []section, bson.Raw, error) {
	flags := msgFlags(msg)
	end := len(msg)
	if flags&flagChecksumPresent != 0 {
		end -= 4
	}
	var sections []section
	var body bson.Raw
	for i := headerLen + 4; i < end; {
		kind := msg[i]
		i++
		if i+4 > end {
			return 0, nil, nil, errors.New("truncated OP_MSG section")
		}
		n := int(int32(binary.LittleEndian.Uint32(msg[i:])))
		if n < 5 || i+n > end {
			return 0, nil, nil, errors.New("bad OP_MSG section length")
		}
		data := msg[i : i+n]
		switch kind {
		case 0:
			body = bson.Raw(data)
		case 1:
		default:
			return 0, nil, nil, fmt.Errorf("unknown OP_MSG section kind %d", kind)
		}
		sections = append(sections, section{kind, data})
		i += n
	}
	if body == nil {
		return 0, nil, nil, errors.New("OP_MSG without a command document")
	}
	return flags, sections, body, nil
}

// buildMsg assembles an OP_MSG; a checksum is added when the flags ask for one.
func buildMsg(id, responseTo int32, flags uint32, sections []section) []byte {
	size := headerLen + 4
	for _, s := range sections {
		size += 1 + len(s.data)
	}
	if flags&flagChecksumPresent != 0 {
		size += 4
	}
	msg := make([]byte, headerLen+4, size)
	binary.LittleEndian.PutUint32(msg[0:], uint32(size))
	binary.LittleEndian.PutUint32(msg[4:], uint32(id))
	binary.LittleEndian.PutUint32(msg[8:], uint32(responseTo))
	binary.LittleEndian.PutUint32(msg[12:], opMsg)
	binary.LittleEndian.PutUint32(msg[16:], flags)
	for _, s := range sections {
		msg = append(msg, s.kind)
		msg = append(msg, s.data...)
	}
	if flags&flagChecksumPresent != 0 {
		msg = binary.LittleEndian.AppendUint32(msg, crc32.Checksum(msg, castagnoli))
	}
	return msg
}

// withBody returns msg with moreToCome cleared and, unless body is nil, its command document
// replaced.
func withBody(msg []byte, body []byte) ([]byte, error) {
	flags, sections, _, err := parseMsg(msg)
	if err != nil {
		return nil, err
	}
	for i := range sections {
		if sections[i].kind == 0 && body != nil {
			sections[i].data = body
		}
	}
	responseTo := int32(binary.LittleEndian.Uint32(msg[8:]))
	return buildMsg(requestID(msg), responseTo, flags&^flagMoreToCome, sections), nil
}

// awaitingReply returns the request with moreToCome cleared: the front always waits for the
// server's reply, so that a fire-and-forget (w:0) write holds its lock until it is done.
func awaitingReply(msg []byte) []byte {
	flags := msgFlags(msg)
	if flags&flagMoreToCome == 0 {
		return msg
	}
	out, err := withBody(msg, nil)
	if err != nil {
		return msg
	}
	return out
}

// reply builds the answer to request `to` from a document.
func reply(to []byte, doc any) []byte {
	body, err := bson.Marshal(doc)
	if err != nil {
		body, _ = bson.Marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: err.Error()}})
	}
	return buildMsg(ownRequestID.Add(1), requestID(to), 0, []section{{0, body}})
}

// commandError is a MongoDB command error reply.
func commandError(code int32, codeName, message string) bson.D {
	return bson.D{
		{Key: "ok", Value: 0.0},
		{Key: "errmsg", Value: message},
		{Key: "code", Value: code},
		{Key: "codeName", Value: codeName},
	}
}

// replyBody returns an OP_MSG reply's document, or nil.
func replyBody(msg []byte) bson.Raw {
	if opCode(msg) != opMsg {
		return nil
	}
	_, _, body, err := parseMsg(msg)
	if err != nil {
		return nil
	}
	return body
}

// succeeded reports whether a reply says ok: 1.
func succeeded(msg []byte) bool {
	body := replyBody(msg)
	if body == nil {
		return false
	}
	n, ok := number(body.Lookup("ok"))
	return ok && n == 1
}
