import CQREncode
import Foundation

/// A QR code symbol (ISO/IEC 18004) built from text, for showing a TOTP enrolment URI (`otpauth://totp/...`) on a web
/// page so that an authenticator app can scan it.
///
/// The symbol comes from Debian's libqrencode (the `CQREncode` system library): byte mode, so the URI's UTF-8 goes in
/// as it is, and error correction level M, which recovers about 15 % of the codewords: sturdy enough for a phone
/// camera, yet small enough that a 100 to 150 character URI stays at version 6 to 8. Only the SVG writer is ours.
///
/// ```swift
/// let svg = try QRCode(encoding: "otpauth://totp/Clusterfund:a%40b.test?secret=JBSWY3DPEHPK3PXP").svg(title: "QR code")
/// ```
public struct QRCode: Sendable {
    /// Why the text could not be encoded.
    public enum Error: Swift.Error, Sendable, Equatable {
        /// The text's UTF-8 bytes do not fit the largest symbol (version 40) at level M.
        case tooLong
        /// libqrencode refused for another reason; the C library's `errno`.
        case encoderFailed(errno: Int32)
    }

    /// Modules per side, without the quiet zone: 21 for version 1, 4 more per version.
    public let size: Int

    /// The version (1...40) libqrencode chose: the smallest that holds the text.
    let version: Int

    /// Dark flags, row by row, `size * size` of them.
    private let modules: [Bool]

    /// Encodes the text's UTF-8 bytes in byte mode at level M, in the smallest version that fits.
    /// - Throws: `.tooLong` when the text does not fit version 40; `.encoderFailed` when libqrencode fails otherwise.
    public init(encoding text: String) throws(QRCode.Error) {
        let bytes = Array(text.utf8)
        guard let symbol = QRcode_encodeData(Int32(bytes.count), bytes, 0, QR_ECLEVEL_M) else {
            throw errno == ERANGE ? .tooLong : .encoderFailed(errno: errno)
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        // Each byte describes one module; its lowest bit is 1 for dark (qrencode.h, "Symbol data").
        let data = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        self.size = width
        self.version = Int(symbol.pointee.version)
        self.modules = data.map { $0 & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` (origin top left) is dark. Coordinates
    /// outside the symbol answer `false`: that is the light quiet zone around it.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// The symbol as a standalone SVG document: black modules on a white background.
    ///
    /// Dark modules are merged into horizontal runs of one `<path>`, which keeps the markup
    /// small (a version 7 code is a few kilobytes), and `crispEdges` stops anti-aliasing
    /// seams between runs that could confuse a scanner. The image is `role="img"` with a
    /// `<title>` so that screen readers announce it.
    /// - Parameters:
    ///   - moduleSize: pixels per module in the `width`/`height` attributes (at least 1).
    ///   - quietZone: light modules around the symbol; the standard asks for 4 (at least 0).
    ///   - title: the accessible name, XML-escaped here.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String) -> String {
        let quiet = max(0, quietZone)
        let side = size + 2 * quiet
        let pixels = side * max(1, moduleSize)
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                var run = 1
                while isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quiet) \(y + quiet)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" role="img" shape-rendering="crispEdges">\
            <title>\(Self.xmlEscaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    /// Escapes the five XML special characters so any title is safe inside the element
    /// (and would be inside an attribute too).
    static func xmlEscaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
