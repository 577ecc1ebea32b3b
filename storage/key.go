package storage

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on keys. MaxKeyLen is Cloud Storage's limit on object names; MaxSegmentLen is the
// common file-name limit of local file systems, so every valid key fits both backends.
const (
	MaxKeyLen     = 1024
	MaxSegmentLen = 255
)

// tempPrefix starts the names of in-progress files; keys may not use it.
const tempPrefix = ".storage-tmp-"

// ValidateKey reports whether key names an object the same way on every backend: a
// slash-separated relative path of at most [MaxKeyLen] bytes of valid UTF-8, with no empty,
// "." or ".." segment, no leading or trailing slash, no backslash, no control character (NUL,
// CR, LF, ...), no segment longer than [MaxSegmentLen] bytes and none beginning with the
// reserved prefix ".storage-tmp-". A valid key never escapes the root of a [Dir].
//
// The error is a [*KeyError] matching [ErrInvalidKey], naming the key and the rule it broke.
func ValidateKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return &KeyError{Key: key, Reason: reason}
	}
	return nil
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > MaxKeyLen:
		return fmt.Sprintf("longer than %d bytes (%d)", MaxKeyLen, len(key))
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	case key[0] == '/':
		return "absolute (begins with /)"
	}
	for _, r := range key {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Sprintf("contains control character %U", r)
		case r == '\\':
			return "contains a backslash"
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "has an empty segment (// or a trailing /)"
		case seg == "." || seg == "..":
			return fmt.Sprintf("has a %q segment", seg)
		case len(seg) > MaxSegmentLen:
			return fmt.Sprintf("has a segment longer than %d bytes", MaxSegmentLen)
		case strings.HasPrefix(seg, tempPrefix):
			return fmt.Sprintf("has a segment beginning with the reserved prefix %q", tempPrefix)
		}
	}
	return ""
}
