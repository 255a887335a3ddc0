import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The image cache's directory: one file per picture, named at random (a name says nothing of
/// the URL or the person), the directory 0700 and every file 0600 from its creation, so that
/// only the daemon's user reads them. The index (which URL is which file) is in the mirror
/// (``MirrorStore/imageCached(_:now:)``); this type only touches files.
///
/// A file is written under a temporary name and renamed into place, so a crash never leaves
/// a half-written picture under a name the index could hold. Removing a file overwrites it with
/// zeros first (like the database's `secure_delete`: it keeps the bytes out of the free blocks a
/// plain unlink would leave them in, on file systems that write in place; an encrypted disk is
/// still what protects a stolen kiosk, systemd/README.md).
public struct ImageFiles: Sendable {
    public let directory: URL

    /// Why a file operation failed, without a path that names a picture.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(directory: URL) {
        self.directory = directory
    }

    /// Creates the directory (0700) when missing, and tightens it when it exists.
    public func prepare() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }

    /// Writes `bytes` as a new file (0600) and returns its name.
    public func write(_ bytes: Data) throws -> String {
        try prepare()
        let name = Self.randomName()
        let temporary = directory.appendingPathComponent(".tmp-" + name).path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot create an image file (errno \(errno))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path(of: name)) == 0 else { throw Failure(description: "cannot rename an image file (errno \(errno))") }
        } catch {
            unlink(temporary)
            throw error
        }
        return name
    }

    /// The bytes of file `name`; nil when it is gone.
    public func read(_ name: String) -> Data? {
        guard Self.isValidName(name) else { return nil }
        return FileManager.default.contents(atPath: path(of: name))
    }

    /// Overwrites file `name` with zeros and removes it; nothing when it is gone.
    public func remove(_ name: String) {
        guard Self.isValidName(name) || name.hasPrefix(".tmp-") else { return }
        let file = path(of: name)
        if let handle = FileHandle(forWritingAtPath: file) {
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: 0)
            var left = Int(size)
            let zeros = Data(count: min(left, 1 << 16))
            while left > 0 {
                let part = zeros.prefix(left)
                guard (try? handle.write(contentsOf: part)) != nil else { break }
                left -= part.count
            }
            try? handle.synchronize()
            try? handle.close()
        }
        unlink(file)
    }

    /// Removes every file of the directory but those `keeping` names; returns how many went.
    @discardableResult
    public func removeAll(keeping: Set<String> = []) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed = 0
        for name in names where !keeping.contains(name) {
            remove(name)
            removed += 1
        }
        return removed
    }

    /// The names of the files the directory holds.
    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter(Self.isValidName)
    }

    private func path(of name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// 32 hexadecimal digits from the system's random source.
    static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Only names this type makes: nothing else is read or written through a stored name.
    static func isValidName(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
