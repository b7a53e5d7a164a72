import CoreTransferable
import Foundation
import PhotosUI
import SwiftUI
import UniformTypeIdentifiers

/// Files the party picks, copied into the app's own folder before the core
/// queues them (the core copies again into its upload store, so the copy here
/// can go once queued). The system photo picker needs no photo-library
/// permission: it hands over only what the party chose.
enum FileImport {
    struct Picked: Equatable {
        let path: String
        let fileName: String
    }

    /// The app's folder for picked files (Caches: the system may clear it once uploaded).
    static func importsDirectory() throws -> URL {
        let url = try FileManager.default.url(for: .cachesDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("Imports", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A photo or video from PhotosPicker, as the original file.
    static func fromPhotos(_ item: PhotosPickerItem) async throws -> Picked {
        guard let file = try await item.loadTransferable(type: PickedFile.self) else {
            throw CocoaError(.fileReadUnknown)
        }
        return Picked(path: file.url.path, fileName: file.url.lastPathComponent)
    }

    /// A document from Files (`fileImporter`): security-scoped, so copied while access lasts.
    static func fromFiles(_ url: URL) throws -> Picked {
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        let target = try importsDirectory().appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let copy = target.appendingPathComponent(url.lastPathComponent)
        try FileManager.default.copyItem(at: url, to: copy)
        return Picked(path: copy.path, fileName: url.lastPathComponent)
    }

    /// The types the court takes: pictures, PDF, documents, audio, video.
    static let documentTypes: [UTType] = [.image, .pdf, .movie, .audio, .plainText, .rtf,
                                          UTType("com.microsoft.word.doc") ?? .data,
                                          UTType("org.openxmlformats.wordprocessingml.document") ?? .data]
}

/// The picker's file, received as a file (not decoded), so HEIC and metadata stay as taken.
struct PickedFile: Transferable {
    let url: URL

    static var transferRepresentation: some TransferRepresentation {
        FileRepresentation(importedContentType: .item) { received in
            let target = try FileImport.importsDirectory().appendingPathComponent(UUID().uuidString, isDirectory: true)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let copy = target.appendingPathComponent(received.file.lastPathComponent)
            try FileManager.default.copyItem(at: received.file, to: copy)
            return PickedFile(url: copy)
        }
    }
}
