import Foundation

/// Where "now" comes from: the system in production, a fixed instant in tests.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = WallClock { Date() }
}

/// Who is asking, from where, for the audit trail. Never holds personal data of pupils.
public struct RequestInfo: Sendable {
    public var requestID: String
    public var clientAddress: String
    /// What sign-in throttling counts by: the client's address, or for IPv6 its /64, which one client commonly holds
    /// whole. The audit trail keeps the full address.
    public var throttleAddress: String
    public var userAgent: String?
    public init(requestID: String, clientAddress: String, throttleAddress: String? = nil, userAgent: String? = nil) {
        self.requestID = requestID
        self.clientAddress = clientAddress
        self.throttleAddress = throttleAddress ?? clientAddress
        self.userAgent = userAgent
    }
    /// For commands run from the shell.
    public static func commandLine(_ name: String) -> RequestInfo { RequestInfo(requestID: commandLinePrefix + name, clientAddress: "local") }
    /// How a command's request id begins: `cli-demo-data`.
    static let commandLinePrefix = "cli-"
    /// The command a request id of `commandLine(_:)` names (`demo-data`), or nil for a request's id.
    public static func commandName(requestID: String) -> String? {
        requestID.hasPrefix(commandLinePrefix) ? String(requestID.dropFirst(commandLinePrefix.count)) : nil
    }
}
