// Command testsumdb writes a checksum database for tests, built with golang.org/x/mod/sumdb
// (the code the go command verifies with), as the static files a proxy serves under
// /sumdb/<name>/: supported, latest, lookup/<escaped path>@<escaped version>, and every hash
// tile of the tree (tile/8/<L>/<N>, with .p/<W> for the right edge).
//
// Records come on standard input as go.sum lines; the lines of one module version form one record,
// in the order they first appear. The key is derived from -seed, so two runs with the same seed and
// a longer list of records make a newer tree of the same database, consistent with the older one.
// The verifier key is printed on standard output.
//
// Run in GOPATH mode against Debian's golang-golang-x-mod-dev:
// GO111MODULE=off GOPATH=/usr/share/gocode go run main.go -name sum.test -seed 1 -out DIR < go.sum
package main

import (
	"bufio"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type record struct {
	path, version string
	text          []byte
}

type seededReader struct{ seed string }

// Read fills p from SHA-256 of the seed, so a seed always makes the same key.
func (r seededReader) Read(p []byte) (int, error) {
	sum := sha256.Sum256([]byte(r.seed))
	for i := range p {
		p[i] = sum[i%len(sum)]
	}
	return len(p), nil
}

func main() {
	name := flag.String("name", "sum.test", "database name")
	seed := flag.String("seed", "modferry", "seed of the database key")
	out := flag.String("out", "", "folder to write (the proxy's sumdb/<name>)")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}

	records := readRecords()
	skey, vkey, err := note.GenerateKey(seededReader{*seed + "\x00" + *name}, *name)
	check(err)
	signer, err := note.NewSigner(skey)
	check(err)

	var hashes []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		list := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			list[i] = hashes[index]
		}
		return list, nil
	})
	for i, rec := range records {
		stored, err := tlog.StoredHashes(int64(i), rec.text, reader)
		check(err)
		hashes = append(hashes, stored...)
	}
	size := int64(len(records))
	treeHash, err := tlog.TreeHash(size, reader)
	check(err)
	signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: treeHash}))}, signer)
	check(err)

	write(*out, "supported", nil)
	write(*out, "latest", signed)
	for i, rec := range records {
		escPath, err := module.EscapePath(rec.path)
		check(err)
		escVersion, err := module.EscapeVersion(rec.version)
		check(err)
		msg, err := tlog.FormatRecord(int64(i), rec.text)
		check(err)
		write(*out, "lookup/"+escPath+"@"+escVersion, append(msg, signed...))
	}
	for _, tile := range tlog.NewTiles(8, 0, size) {
		data, err := tlog.ReadTileData(tile, reader)
		check(err)
		write(*out, tile.Path(), data)
	}
	fmt.Println(vkey)
}

func readRecords() []record {
	var records []record
	index := map[string]int{}
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			log.Fatalf("not a go.sum line: %q", line)
		}
		version := strings.TrimSuffix(fields[1], "/go.mod")
		key := fields[0] + "@" + version
		i, seen := index[key]
		if !seen {
			i = len(records)
			index[key] = i
			records = append(records, record{path: fields[0], version: version})
		}
		records[i].text = append(records[i].text, line+"\n"...)
	}
	check(scanner.Err())
	return records
}

func write(dir, name string, data []byte) {
	file := filepath.Join(dir, filepath.FromSlash(name))
	check(os.MkdirAll(filepath.Dir(file), 0o755))
	check(os.WriteFile(file, data, 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
