package pubsub

import (
	"encoding/binary"
	"errors"
)

// Message is what a topic carries: data, and for event streams an
// optional event id and name (a WebSocket gets the data alone).
type Message struct {
	ID, Event string
	Data      []byte
}

// Encode makes the bytes a hub carries for m. A message with neither id
// nor event, whose data does not start with a zero byte, is its data
// itself; any other is a zero byte, the id and the event (each with its
// length as a uvarint), then the data.
func Encode(m Message) []byte {
	if m.ID == "" && m.Event == "" && (len(m.Data) == 0 || m.Data[0] != 0) {
		return m.Data
	}
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(m.ID)+len(m.Event)+len(m.Data))
	b = append(b, 0)
	b = append(binary.AppendUvarint(b, uint64(len(m.ID))), m.ID...)
	b = append(binary.AppendUvarint(b, uint64(len(m.Event))), m.Event...)
	return append(b, m.Data...)
}

var errEnvelope = errors.New("pubsub: malformed message")

// Decode reverses Encode. Data aliases b.
func Decode(b []byte) (Message, error) {
	if len(b) == 0 || b[0] != 0 {
		return Message{Data: b}, nil
	}
	b = b[1:]
	var fields [2]string
	for i := range fields {
		n, size := binary.Uvarint(b)
		if size <= 0 || n > uint64(len(b)-size) {
			return Message{}, errEnvelope
		}
		fields[i] = string(b[size : size+int(n)])
		b = b[size+int(n):]
	}
	return Message{ID: fields[0], Event: fields[1], Data: b}, nil
}
