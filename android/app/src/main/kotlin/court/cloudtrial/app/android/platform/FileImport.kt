package court.cloudtrial.app.android.platform

import android.content.Context
import android.net.Uri
import android.provider.OpenableColumns
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File

/** A picked or shared file, copied where the core can read it by path. */
data class ImportedFile(val path: String, val displayName: String)

/**
 * Copies a content URI (the Photo Picker, the document picker, another app's
 * share) into the app's cache: the grant to read it ends with the activity,
 * and the core takes a path. The core copies it again into its own queue, so
 * this copy is deleted once queued.
 */
object FileImport {
    suspend fun copy(context: Context, uri: Uri): ImportedFile = withContext(Dispatchers.IO) {
        val resolver = context.contentResolver
        val name = resolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)?.use { cursor ->
            if (cursor.moveToFirst()) cursor.getString(0) else null
        } ?: uri.lastPathSegment ?: "evidence"
        val safe = name.replace(Regex("[\\\\/:*?\"<>|\\u0000-\\u001f]"), "_").take(120)
        val dir = File(context.cacheDir, "imports").apply { mkdirs() }
        val target = File(dir, "${System.currentTimeMillis()}-$safe")
        resolver.openInputStream(uri)?.use { input -> target.outputStream().use { input.copyTo(it) } }
            ?: error("cannot open $uri")
        ImportedFile(target.path, name)
    }
}
