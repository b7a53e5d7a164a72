package court.cloudtrial.app.android

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import court.cloudtrial.app.R
import court.cloudtrial.app.android.platform.UploadWorker

/** Builds the app's object graph once per process (the composition root). */
class CloudTrialApplication : Application() {
    lateinit var graph: AppGraph
        private set

    override fun onCreate() {
        super.onCreate()
        createNotificationChannels()
        graph = AppGraph(this)
        // Uploads queued before the app was killed continue now, in the background.
        UploadWorker.enqueue(this)
    }

    private fun createNotificationChannels() {
        val manager = getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(CHANNEL_HEARING, getString(R.string.notification_channel_hearing), NotificationManager.IMPORTANCE_LOW),
        )
        manager.createNotificationChannel(
            NotificationChannel(CHANNEL_UPLOADS, getString(R.string.notification_channel_uploads), NotificationManager.IMPORTANCE_LOW),
        )
    }

    companion object {
        const val CHANNEL_HEARING = "hearing"
        const val CHANNEL_UPLOADS = "uploads"
    }
}
