import Logging

/// What every log line written while serving a request should carry, whichever logger writes it: the store's, the
/// pool's, or the request's own. The executable installs `metadataProvider` when it bootstraps logging, and
/// `RequestLogMiddleware` binds the request id for the request's task and every task it starts.
public enum RequestScope {
    @TaskLocal public static var requestID: String?

    public static let metadataProvider = Logger.MetadataProvider {
        guard let requestID else { return [:] }
        return ["hb.request.id": .string(requestID)]
    }
}
