package storage

import (
	"io"
	"sync"
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// copyBuf is io.Copy with a pooled buffer. The hashing writers of a transfer are not
// ReaderFroms, and *os.File's WriteTo falls back to io.Copy for them, so io.Copy would
// allocate 32 KiB per transfer; src is hidden behind a plain Reader to use the pooled buffer.
func copyBuf(dst io.Writer, src io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	return io.CopyBuffer(dst, struct{ io.Reader }{src}, *bp)
}
