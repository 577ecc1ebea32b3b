package storage

import (
	"encoding/binary"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// xattrName holds a Dir object's checksum: CRC32C (4 bytes), size and generation (8 bytes
// each), big-endian. The size and generation say which content the checksum belongs to: a file
// rewritten behind the Dir's back keeps a stale attribute, which is then ignored.
const xattrName = "user.resilience.storage"

// setSum records the checksum on f. A file system without user extended attributes is not an
// error: the object is then stored without a checksum.
func setSum(f *os.File, crc uint32, size, gen int64) error {
	var b [20]byte
	binary.BigEndian.PutUint32(b[0:], crc)
	binary.BigEndian.PutUint64(b[4:], uint64(size))
	binary.BigEndian.PutUint64(b[12:], uint64(gen))
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fsetxattr(int(fd), xattrName, b[:], 0) }); err != nil {
		return err
	}
	if errors.Is(serr, unix.ENOTSUP) || errors.Is(serr, unix.EPERM) {
		return nil
	}
	return serr
}

// getSum reads the checksum recorded on f for content of this size and generation.
func getSum(f *os.File, size, gen int64) (crc uint32, ok bool) {
	var b [20]byte
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	n := 0
	var gerr error
	if err := rc.Control(func(fd uintptr) { n, gerr = unix.Fgetxattr(int(fd), xattrName, b[:]) }); err != nil || gerr != nil || n != len(b) {
		return 0, false
	}
	if int64(binary.BigEndian.Uint64(b[4:])) != size || int64(binary.BigEndian.Uint64(b[12:])) != gen {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[0:]), true
}
