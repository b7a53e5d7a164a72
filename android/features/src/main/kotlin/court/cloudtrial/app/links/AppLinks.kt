package court.cloudtrial.app.links

/** The SMS link (`https://court/ots/download/{会议号}`) and what the app takes from it. */
object AppLinks {
    private val landing = Regex("""^https?://[^/?#]+/+ots/download/(\d{8})/?(?:[?#].*)?$""")

    /** The meeting number of a landing link, or null for any other link. */
    fun meetingNumber(url: String): String? = landing.find(url.trim())?.groupValues?.get(1)
}

/** The six-digit code in a login SMS (验证码为：123456), as the SMS User Consent API hands it over. */
object LoginCodes {
    private val labelled = Regex("""验证码[为是:：\s]*(\d{6})""")
    private val bare = Regex("""(?<!\d)(\d{6})(?!\d)""")

    fun fromSms(message: String): String? =
        labelled.find(message)?.groupValues?.get(1) ?: bare.findAll(message).map { it.groupValues[1] }.singleOrNull()
}
