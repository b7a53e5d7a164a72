package court.cloudtrial.app.android.platform

import android.app.Activity
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import androidx.activity.ComponentActivity
import androidx.activity.result.contract.ActivityResultContracts
import androidx.core.content.ContextCompat
import androidx.core.content.IntentCompat
import androidx.core.os.BundleCompat
import com.google.android.gms.auth.api.phone.SmsRetriever
import com.google.android.gms.common.api.CommonStatusCodes
import com.google.android.gms.common.api.Status

/**
 * Fills the login code from the SMS without reading the user's messages: the
 * SMS User Consent API shows the one incoming SMS and asks the user to share
 * it with the app (no SMS permission). Register in the activity's onCreate;
 * [listen] after 获取验证码 (it waits up to five minutes for one message).
 */
class SmsConsent(private val activity: ComponentActivity, private val onMessage: (String) -> Unit) {
    private val consent = activity.registerForActivityResult(ActivityResultContracts.StartActivityForResult()) { result ->
        if (result.resultCode == Activity.RESULT_OK) {
            result.data?.getStringExtra(SmsRetriever.EXTRA_SMS_MESSAGE)?.let(onMessage)
        }
    }
    private var registered = false

    private val receiver = object : BroadcastReceiver() {
        override fun onReceive(context: Context, intent: Intent) {
            if (intent.action != SmsRetriever.SMS_RETRIEVED_ACTION) return
            val extras = intent.extras ?: return
            val status = BundleCompat.getParcelable(extras, SmsRetriever.EXTRA_STATUS, Status::class.java) ?: return
            if (status.statusCode != CommonStatusCodes.SUCCESS) return
            val ask = IntentCompat.getParcelableExtra(intent, SmsRetriever.EXTRA_CONSENT_INTENT, Intent::class.java) ?: return
            // Only Google Play services' own consent screen.
            val target = ask.resolveActivity(context.packageManager)
            if (target?.packageName == "com.google.android.gms" && ask.flags and Intent.FLAG_GRANT_READ_URI_PERMISSION == 0) {
                consent.launch(ask)
            }
        }
    }

    fun listen() {
        SmsRetriever.getClient(activity).startSmsUserConsent(null)
        if (!registered) {
            ContextCompat.registerReceiver(
                activity, receiver, IntentFilter(SmsRetriever.SMS_RETRIEVED_ACTION),
                SmsRetriever.SEND_PERMISSION, null, ContextCompat.RECEIVER_EXPORTED,
            )
            registered = true
        }
    }

    fun stop() {
        if (registered) activity.unregisterReceiver(receiver)
        registered = false
    }
}
