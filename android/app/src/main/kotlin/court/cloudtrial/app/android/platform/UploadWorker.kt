package court.cloudtrial.app.android.platform

import android.app.Notification
import android.content.Context
import android.content.pm.ServiceInfo
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.ForegroundInfo
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import court.cloudtrial.app.R
import court.cloudtrial.app.android.CloudTrialApplication
import court.cloudtrial.app.errors.AppError
import court.cloudtrial.app.model.Upload
import court.cloudtrial.app.model.UploadStatus
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.onEach

/**
 * Keeps the process alive while evidence uploads: the core's queue does the
 * uploading (resumable chunks, kept in its database); this worker opens it,
 * shows the progress in a notification and ends when nothing is left to send.
 * WorkManager runs it again after the app was killed or the phone restarted.
 */
class UploadWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val graph = (applicationContext as CloudTrialApplication).graph
        val evidence = try {
            graph.services.hearing().evidence
        } catch (e: AppError.NotLoggedIn) {
            return Result.success()
        }
        if (evidence.currentUploads().none(::pending)) return Result.success()
        setForeground(foregroundInfo(evidence.currentUploads().firstOrNull(::pending)))
        evidence.uploads
            .onEach { uploads -> uploads.firstOrNull(::pending)?.let { setForeground(foregroundInfo(it)) } }
            .first { uploads -> uploads.none(::pending) }
        return Result.success()
    }

    override suspend fun getForegroundInfo(): ForegroundInfo = foregroundInfo(null)

    private fun pending(upload: Upload) = upload.status == UploadStatus.QUEUED || upload.status == UploadStatus.UPLOADING

    private fun foregroundInfo(upload: Upload?): ForegroundInfo {
        val notification: Notification = NotificationCompat.Builder(applicationContext, CloudTrialApplication.CHANNEL_UPLOADS)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(applicationContext.getString(R.string.notification_upload_title))
            .apply {
                if (upload != null) {
                    setContentText(applicationContext.getString(R.string.notification_upload_text, upload.title, upload.percent))
                    setProgress(100, upload.percent, false)
                } else {
                    setProgress(0, 0, true)
                }
            }
            .setOngoing(true)
            .setOnlyAlertOnce(true)
            .build()
        return if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
            ForegroundInfo(NOTIFICATION_ID, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC)
        } else {
            ForegroundInfo(NOTIFICATION_ID, notification)
        }
    }

    companion object {
        private const val NOTIFICATION_ID = 16
        private const val WORK = "evidence-uploads"

        /** After an upload is queued, and at every start of the app. */
        fun enqueue(context: Context) {
            val request = OneTimeWorkRequestBuilder<UploadWorker>()
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(WORK, ExistingWorkPolicy.KEEP, request)
        }
    }
}
