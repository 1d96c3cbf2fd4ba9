// Go's price for the things epilogue does, on the same machine and with the
// same bodies as epilogue-benches (../src/lib.rs): see scripts/go-bench.sh.
//
// Every measured function is //go:noinline. The "call" flavour bumps a work
// counter and calls through a package-level func variable assigned in init,
// which the compiler cannot see through (the Rust side calls a black_boxed
// fn pointer); the "leaf" flavour only bumps the counter. A cleanup bumps a
// second counter; a hook adds 1 to the result.
package epiloguebench

import (
	"fmt"
	"testing"
)

var (
	work     uint64
	cleanups uint64
	sink     uint64
	opaque   func(uint64) uint64
)

//go:noinline
func identity(x uint64) uint64 { return x }

func init() { opaque = identity }

// ---- leaf flavour ----------------------------------------------------------

//go:noinline
func leafBare(x uint64) uint64 {
	work++
	return x
}

//go:noinline
func leafInlineCleanup(x uint64) uint64 {
	work++
	cleanups++
	return x
}

//go:noinline
func leafDefer(x uint64) uint64 {
	defer func() { cleanups++ }()
	work++
	return x
}

//go:noinline
func leafDirectPlusOne(x uint64) uint64 {
	work++
	return x + 1
}

//go:noinline
func leafNamedResultDefer(x uint64) (r uint64) {
	defer func() { r++ }()
	work++
	return x
}

//go:noinline
func leafRecoverHappy(x uint64) uint64 {
	defer func() { recover() }()
	work++
	return x
}

// ---- call flavour ----------------------------------------------------------

//go:noinline
func callBare(x uint64) uint64 {
	work++
	return opaque(x)
}

//go:noinline
func callInlineCleanup(x uint64) uint64 {
	work++
	r := opaque(x)
	cleanups++
	return r
}

//go:noinline
func callDefer(x uint64) uint64 {
	defer func() { cleanups++ }()
	work++
	return opaque(x)
}

//go:noinline
func callDirectPlusOne(x uint64) uint64 {
	work++
	return opaque(x) + 1
}

//go:noinline
func callNamedResultDefer(x uint64) (r uint64) {
	defer func() { r++ }()
	work++
	return opaque(x)
}

//go:noinline
func callRecoverHappy(x uint64) uint64 {
	defer func() { recover() }()
	work++
	return opaque(x)
}

// ---- panic path: panic one frame below the recovering defer ----------------

//go:noinline
func panicLiteral(x uint64) {
	work++
	panic("boom")
}

//go:noinline
func panicFormatted(x uint64) {
	work++
	panic(fmt.Sprintf("boom %d", x))
}

//go:noinline
func recoverLiteral(x uint64) (r uint64, ok bool) {
	defer func() {
		if recover() != nil {
			r, ok = 0, false
		}
	}()
	panicLiteral(x)
	return x, true
}

//go:noinline
func recoverFormatted(x uint64) (r uint64, ok bool) {
	defer func() {
		if recover() != nil {
			r, ok = 0, false
		}
	}()
	panicFormatted(x)
	return x, true
}

// ---- benchmarks --------------------------------------------------------------

func loop(b *testing.B, f func(uint64) uint64) {
	var s uint64
	for i := 0; i < b.N; i++ {
		s += f(uint64(i))
	}
	sink += s
}

func BenchmarkLeafBare(b *testing.B)             { loop(b, leafBare) }
func BenchmarkLeafInlineCleanup(b *testing.B)    { loop(b, leafInlineCleanup) }
func BenchmarkLeafDefer(b *testing.B)            { loop(b, leafDefer) }
func BenchmarkLeafDirectPlusOne(b *testing.B)    { loop(b, leafDirectPlusOne) }
func BenchmarkLeafNamedResultDefer(b *testing.B) { loop(b, leafNamedResultDefer) }
func BenchmarkLeafRecoverHappy(b *testing.B)     { loop(b, leafRecoverHappy) }
func BenchmarkCallBare(b *testing.B)             { loop(b, callBare) }
func BenchmarkCallInlineCleanup(b *testing.B)    { loop(b, callInlineCleanup) }
func BenchmarkCallDefer(b *testing.B)            { loop(b, callDefer) }
func BenchmarkCallDirectPlusOne(b *testing.B)    { loop(b, callDirectPlusOne) }
func BenchmarkCallNamedResultDefer(b *testing.B) { loop(b, callNamedResultDefer) }
func BenchmarkCallRecoverHappy(b *testing.B)     { loop(b, callRecoverHappy) }

func BenchmarkPanicRecoverLiteral(b *testing.B) {
	loop(b, func(x uint64) uint64 { r, _ := recoverLiteral(x); return r })
}

func BenchmarkPanicRecoverFormatted(b *testing.B) {
	loop(b, func(x uint64) uint64 { r, _ := recoverFormatted(x); return r })
}

// The loop's own closure call, for reference (every case pays it).
func BenchmarkEmptyLoop(b *testing.B) {
	loop(b, func(x uint64) uint64 { return x })
}

// The variants compute what they should.
func TestVariants(t *testing.T) {
	work, cleanups = 0, 0
	for _, f := range []func(uint64) uint64{leafDefer, callDefer} {
		if f(7) != 7 {
			t.Fatal("defer changed the result")
		}
	}
	if cleanups != 2 || work != 2 {
		t.Fatalf("cleanups %d work %d", cleanups, work)
	}
	for _, f := range []func(uint64) uint64{leafNamedResultDefer, callNamedResultDefer, leafDirectPlusOne, callDirectPlusOne} {
		if f(7) != 8 {
			t.Fatal("hook")
		}
	}
	if r, ok := recoverLiteral(3); ok || r != 0 {
		t.Fatal("recoverLiteral")
	}
	if r, ok := recoverFormatted(3); ok || r != 0 {
		t.Fatal("recoverFormatted")
	}
	if callRecoverHappy(5) != 5 {
		t.Fatal("recover happy")
	}
}
