// Command tlogcases writes what golang.org/x/mod/sumdb/tlog itself computes for trees of many
// sizes, so the TypeScript tile math and proof checks are tested against the code the go command
// verifies with: for each tree size, the signed tree head, and the exact tiles tlog's
// TileHashReader reads to check a record and to prove an older tree (recorded by the TileReader
// it is given); the stored-hash index math; and every hash tile of the largest tree (each tree
// smaller than it reads its tiles or prefixes of them).
//
// Run in GOPATH mode against Debian's golang-golang-x-mod-dev:
// GO111MODULE=off GOPATH=/usr/share/gocode go run main.go -out DIR -sizes 1,2,300 > cases.json
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type recordCase struct {
	ID    int64    `json:"id"`
	Text  string   `json:"text"`
	Tiles []string `json:"tiles"`
}

type treeCase struct {
	Old   int64    `json:"old"`
	Hash  string   `json:"hash"`
	Tiles []string `json:"tiles"`
	Proof []string `json:"proof"`
}

type sizeCase struct {
	Size    int64        `json:"size"`
	Hash    string       `json:"hash"`
	Note    string       `json:"note"`
	Edge    []string     `json:"edge"`
	Records []recordCase `json:"records"`
	Trees   []treeCase   `json:"trees"`
}

type indexCase struct {
	Index int64  `json:"index"`
	Level int    `json:"level"`
	N     int64  `json:"n"`
	Tile  string `json:"tile"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type output struct {
	Vkey    string      `json:"vkey"`
	Sizes   []sizeCase  `json:"sizes"`
	Indexes []indexCase `json:"indexes"`
	Counts  [][2]int64  `json:"counts"`
}

type seededReader struct{ seed string }

func (r seededReader) Read(p []byte) (int, error) {
	sum := sha256.Sum256([]byte(r.seed))
	for i := range p {
		p[i] = sum[i%len(sum)]
	}
	return len(p), nil
}

// recorder is a TileReader that serves tiles from the full hash list and remembers which it was asked for.
type recorder struct {
	hashes tlog.HashReader
	asked  []string
}

func (r *recorder) Height() int { return 8 }

func (r *recorder) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		r.asked = append(r.asked, tile.Path())
		d, err := tlog.ReadTileData(tile, r.hashes)
		if err != nil {
			return nil, err
		}
		data[i] = d
	}
	return data, nil
}

func (r *recorder) SaveTiles([]tlog.Tile, [][]byte) {}

func recordText(i int64) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(i, 10)))
	h := base64.StdEncoding.EncodeToString(sum[:])
	return fmt.Sprintf("example.com/m%d v1.0.0 h1:%s\nexample.com/m%d v1.0.0/go.mod h1:%s\n", i, h, i, h)
}

func main() {
	out := flag.String("out", "", "folder for the tiles of the largest tree")
	sizesFlag := flag.String("sizes", "", "comma-separated tree sizes")
	flag.Parse()
	var sizes []int64
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.ParseInt(s, 10, 64)
		check(err)
		sizes = append(sizes, n)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	max := sizes[len(sizes)-1]

	skey, vkey, err := note.GenerateKey(seededReader{"tlogcases"}, "tlog.test")
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
	for i := int64(0); i < max; i++ {
		stored, err := tlog.StoredHashes(i, []byte(recordText(i)), reader)
		check(err)
		hashes = append(hashes, stored...)
	}

	rng := rand.New(rand.NewSource(1))
	result := output{Vkey: vkey}
	for _, size := range sizes {
		hash, err := tlog.TreeHash(size, reader)
		check(err)
		signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: hash}))}, signer)
		check(err)
		tree := tlog.Tree{N: size, Hash: hash}
		c := sizeCase{Size: size, Hash: hash.String(), Note: string(signed)}

		edge := &recorder{hashes: reader}
		_, err = tlog.TileHashReader(tree, edge).ReadHashes(nil)
		check(err)
		c.Edge = edge.asked

		for _, id := range sample(rng, size, 0, []int64{0, 1, 255, 256, 257, size / 2, size - 2, size - 1}) {
			rec := &recorder{hashes: reader}
			got, err := tlog.TileHashReader(tree, rec).ReadHashes([]int64{tlog.StoredHashIndex(0, id)})
			check(err)
			if got[0] != tlog.RecordHash([]byte(recordText(id))) {
				log.Fatalf("record %d hash differs", id)
			}
			c.Records = append(c.Records, recordCase{ID: id, Text: recordText(id), Tiles: rec.asked})
		}
		for _, old := range sample(rng, size+1, 1, []int64{1, 2, 256, 257, 65536, size / 2, size - 1, size}) {
			rec := &recorder{hashes: reader}
			proof, err := tlog.ProveTree(size, old, tlog.TileHashReader(tree, rec))
			check(err)
			oldHash, err := tlog.TreeHash(old, reader)
			check(err)
			check(tlog.CheckTree(proof, size, hash, old, oldHash))
			var proofText []string
			for _, h := range proof {
				proofText = append(proofText, h.String())
			}
			c.Trees = append(c.Trees, treeCase{Old: old, Hash: oldHash.String(), Tiles: rec.asked, Proof: proofText})
		}
		result.Sizes = append(result.Sizes, c)
	}

	count := tlog.StoredHashCount(max)
	for _, index := range sample(rng, count, 0, []int64{0, 1, 2, 3, 255, 256, 510, 511, 512, 65535, 65536, 131070, 131071, count - 1}) {
		level, n := tlog.SplitStoredHashIndex(index)
		tile := tlog.TileForIndex(8, index)
		data, err := tlog.ReadTileData(tile, reader)
		check(err)
		h, err := tlog.HashFromTile(tile, data, index)
		check(err)
		if h != hashes[index] {
			log.Fatalf("hash %d differs", index)
		}
		start, end := byteRange(tile, index)
		result.Indexes = append(result.Indexes, indexCase{Index: index, Level: level, N: n, Tile: tile.Path(), Start: start, End: end})
	}
	for _, size := range sizes {
		result.Counts = append(result.Counts, [2]int64{size, tlog.StoredHashCount(size)})
	}

	for _, tile := range tlog.NewTiles(8, 0, max) {
		data, err := tlog.ReadTileData(tile, reader)
		check(err)
		file := filepath.Join(*out, filepath.FromSlash(tile.Path()))
		check(os.MkdirAll(filepath.Dir(file), 0o755))
		check(os.WriteFile(file, data, 0o644))
	}
	check(json.NewEncoder(os.Stdout).Encode(result))
}

// byteRange finds the bytes of the tile that hash to the stored hash: tlog keeps tileForIndex private.
func byteRange(tile tlog.Tile, index int64) (int, int) {
	level, n := tlog.SplitStoredHashIndex(index)
	within := level - tile.L*tile.H
	first := n<<uint(within) - tile.N<<uint(tile.H)
	return int(first) * tlog.HashSize, int(first+1<<uint(within)) * tlog.HashSize
}

// sample returns the wanted values in [lo, limit) plus a few random ones, each once; all of them for small limits.
func sample(rng *rand.Rand, limit, lo int64, wanted []int64) []int64 {
	seen := map[int64]bool{}
	var list []int64
	add := func(v int64) {
		if v >= lo && v < limit && !seen[v] {
			seen[v] = true
			list = append(list, v)
		}
	}
	if limit-lo <= 40 {
		for v := lo; v < limit; v++ {
			add(v)
		}
		return list
	}
	for _, v := range wanted {
		add(v)
	}
	for i := 0; i < 6; i++ {
		add(lo + rng.Int63n(limit-lo))
	}
	return list
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
