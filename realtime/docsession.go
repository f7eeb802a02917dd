package realtime

import (
	"context"

	"github.com/recordroom/recordroom/protocol"
	"github.com/recordroom/recordroom/yjs"
)

// openDoc is a document a socket opened: the awareness clients it announced, so they can be
// announced gone when it leaves (clientID → last clock).
type openDoc struct {
	clients map[uint64]uint64
}

// handleBinary handles one binary frame: a y-protocols message, named by a varString prefix on
// the main socket.
func (s *session) handleBinary(frame []byte) {
	name, msg := s.plainDoc, frame
	if name == "" {
		var err error
		if name, msg, err = yjs.DecodeFrame(frame); err != nil {
			s.sendError(protocol.ErrorMessage{Code: protocol.BadRequest, Message: "a binary frame is varString(docName) followed by one y-protocols message: " + err.Error()})
			return
		}
	}
	if err := yjs.CheckDocName(name); err != nil {
		s.docError(name, err)
		return
	}
	m, err := yjs.DecodeMessage(msg)
	if err != nil {
		s.docError(name, protocol.New(protocol.BadRequest, "not a y-protocols message: %v", err))
		return
	}
	ctx, cancel := workContext()
	defer cancel()
	switch m.Type {
	case yjs.MessageSync:
		switch m.Sync.Kind {
		case yjs.SyncStep1:
			s.openDoc(ctx, name, m.Sync.Payload)
		case yjs.SyncStep2, yjs.SyncUpdate:
			s.writeDoc(ctx, name, m.Sync.Payload)
		}
	case yjs.MessageAwareness:
		s.awareness(ctx, name, m.Awareness)
	case yjs.MessageQueryAwareness:
		s.answerAwarenessQuery(name)
	}
	// Auth messages come from servers, not clients: nothing to do.
}

// docRights asks the records service what the session's caller may do with the document.
func (s *session) docRights(ctx context.Context, name string) (read, write bool, err error) {
	s.mu.Lock()
	caller := s.caller
	s.mu.Unlock()
	return s.hub.cfg.Records.DocAccess(ctx, caller, s.room, name)
}

// openDoc answers SyncStep1: the socket becomes a peer of the document (so no update stored
// meanwhile is missed), then gets what it lacks (SyncStep2) and the server's state vector
// (SyncStep1), computed from the stored document.
func (s *session) openDoc(ctx context.Context, name string, clientSV []byte) {
	read, _, err := s.docRights(ctx, name)
	if err == nil && !read {
		err = protocol.New(protocol.Forbidden, "reading this document needs a higher role")
	}
	if err != nil {
		s.docError(name, err)
		return
	}
	s.mu.Lock()
	if s.docs[name] == nil {
		s.docs[name] = &openDoc{clients: map[uint64]uint64{}}
	}
	s.mu.Unlock()
	s.hub.relay.join(docKey{s.room, name}, s)
	doc, err := s.hub.cfg.Docs.Load(ctx, s.room, name)
	if err != nil {
		s.docError(name, err)
		return
	}
	diff, err := yjs.DiffUpdate(doc, clientSV)
	if err != nil {
		s.docError(name, yjs.ClientError(err))
		return
	}
	sv, err := yjs.StateVectorFromUpdate(doc)
	if err != nil {
		s.docError(name, err)
		return
	}
	s.sendDoc(name, yjs.EncodeSyncStep2(diff))
	s.sendDoc(name, yjs.EncodeSyncStep1(sv))
}

// writeDoc stores an update (SyncStep2 or Update) and relays it to the document's other peers
// here; other replicas relay it when its notification arrives.
func (s *session) writeDoc(ctx context.Context, name string, update []byte) {
	if yjs.IsEmptyUpdate(update) {
		return // the SyncStep2 of a client with nothing new (every viewer's, on connecting)
	}
	_, write, err := s.docRights(ctx, name)
	if err == nil && !write {
		err = protocol.New(protocol.Forbidden, "editing this document needs a higher role")
	}
	if err != nil {
		s.hub.metrics.docUpdates.WithLabelValues("refused").Inc()
		s.docError(name, err)
		return
	}
	seq, err := s.hub.cfg.Docs.Append(ctx, s.room, name, update, s.hub.relay.markOwn)
	if err != nil {
		s.hub.metrics.docUpdates.WithLabelValues("refused").Inc()
		s.docError(name, err)
		return
	}
	if seq == 0 {
		return // nothing new
	}
	s.hub.metrics.docUpdates.WithLabelValues("stored").Inc()
	s.hub.sendToPeers(docKey{s.room, name}, yjs.EncodeSyncUpdate(update), s)
}

// sendDoc queues a y-protocols message about a document.
func (s *session) sendDoc(name string, msg []byte) {
	if s.plainDoc == "" {
		msg = yjs.EncodeFrame(name, msg)
	}
	s.enqueue(outFrame{data: msg, binary: true})
}

// docError tells the client a document message failed: an error text frame on the main socket
// (PROTOCOL.md §6), y-protocols' permission-denied message on a plain y-websocket socket (the
// only failure y-websocket clients understand; its reason carries the code).
func (s *session) docError(name string, err error) {
	e := protocol.ErrorOf(err)
	if e.Code == protocol.Internal {
		s.hub.cfg.Logger.Error("yjs document", "room", s.room, "doc", name, "err", err)
	}
	s.hub.metrics.errors.WithLabelValues(string(e.Code)).Inc()
	if s.plainDoc != "" {
		s.enqueue(outFrame{data: yjs.EncodeAuthDenied(string(e.Code) + ": " + e.Message), binary: true})
		return
	}
	s.sendJSON(protocol.DocError{Type: protocol.TypeError, Doc: name, Code: e.Code, Message: e.Message})
}

// leaveDocs ends the socket's part in every document it opened: its awareness clients are
// announced gone.
func (s *session) leaveDocs() {
	s.mu.Lock()
	docs := s.docs
	s.docs = map[string]*openDoc{}
	s.mu.Unlock()
	for name, d := range docs {
		k := docKey{s.room, name}
		s.hub.relay.leave(k, s)
		s.hub.awarenessGone(k, d.clients)
	}
}

// closeUnreadableDocs leaves the documents the caller may no longer read (after a role change),
// telling the client.
func (s *session) closeUnreadableDocs(ctx context.Context) {
	s.mu.Lock()
	names := make([]string, 0, len(s.docs))
	for name := range s.docs {
		names = append(names, name)
	}
	s.mu.Unlock()
	for _, name := range names {
		read, _, err := s.docRights(ctx, name)
		if read || (err != nil && protocol.ErrorOf(err).Code == protocol.Internal) {
			continue // still readable, or cannot tell now: keep it
		}
		s.mu.Lock()
		d := s.docs[name]
		delete(s.docs, name)
		s.mu.Unlock()
		if d == nil {
			continue
		}
		k := docKey{s.room, name}
		s.hub.relay.leave(k, s)
		s.hub.awarenessGone(k, d.clients)
		s.docError(name, protocol.New(protocol.Forbidden, "this document is no longer readable for you"))
	}
}
