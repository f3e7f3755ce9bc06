import Logging
import Synchronization

/// A logger whose lines a test can read back, to prove what never reaches a log.
public final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Everything logged so far, one line per event: level, message and metadata.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    /// A logger writing here; with a metadata provider, as the executable installs one, its metadata is merged in.
    public func logger(label: String = "captured", metadataProvider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: label) { _ in Handler(log: self, metadataProvider: metadataProvider) }
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        let metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = (metadataProvider?.get() ?? [:]).merging(metadata) { $1 }.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}
