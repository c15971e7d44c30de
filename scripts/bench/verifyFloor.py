"""The one-core floor for `modferry verify` in bench:serve.

Reads each tar volume given once, as a stream, hashes every entry (SHA-256) and, for each
.zip entry, inflates and hashes every member (SHA-256 of its content; zipfile also checks
each member's CRC-32). Standard library only, one thread: what any machine can do with a
short script, which verify must at least match.

Usage: python3 verifyFloor.py VOLUME.tar...
Prints the number of entries, zip members and bytes read.
"""
import hashlib
import io
import sys
import tarfile
import zipfile


def main(volumes):
    entries = members = read = 0
    for volume in volumes:
        with tarfile.open(volume, mode="r|") as tar:
            for info in tar:
                if not info.isfile():
                    continue
                data = tar.extractfile(info).read()
                hashlib.sha256(data).hexdigest()
                entries += 1
                read += len(data)
                if info.name.endswith(".zip"):
                    with zipfile.ZipFile(io.BytesIO(data)) as zip_file:
                        for member in zip_file.infolist():
                            hashlib.sha256(zip_file.read(member)).hexdigest()
                            members += 1
    print(f"{entries} entries, {members} zip members, {read} bytes")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: verifyFloor.py VOLUME.tar...")
    main(sys.argv[1:])
