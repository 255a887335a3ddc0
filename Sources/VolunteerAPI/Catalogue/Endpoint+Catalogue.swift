// The catalogue of every documented endpoint, one `static let` per row of
// ../shared/spec/ENDPOINTS.md, in the table's order. Parameters, their wire names (typos
// included) and their 【必填】 marks come from the full text, volunteer-doctor-api.txt.

extension Endpoint {
    // MARK: - 1.2 Common

    /// `POST /imgupload`: uploads an image (multipart) and answers its URL (§1.2.2).
    public static let imageUpload = Endpoint(
        "1.2.2", .post, "/imgupload",
        parameters: [
            Parameter("file", .file, .file, required: false, "the image file (multipart part)")
        ],
        response: .record(.fileURL),
        kind: .write
    )

    /// `GET /captcha/app`: the captcha image; its cookie must be kept to send SMS codes (§1.2.3).
    public static let captcha = Endpoint(
        "1.2.3", .get, "/captcha/app",
        response: .image,
        kind: .auth
    )

    /// `POST /verifycode`: sends an SMS code, checked against the captcha (§1.2.4).
    public static let sendVerifyCodeWithCaptcha = Endpoint(
        "1.2.4", .post, "/verifycode",
        parameters: [
            Parameter("captcha_code", .body, .string, required: false, "captcha image code"),
            Parameter("phone", .body, .string, required: false, "mobile phone number"),
        ],
        response: .empty,
        kind: .auth
    )

    /// `GET /city`: the cities (or provinces) under a parent region (§1.2.5).
    public static let cities = Endpoint(
        "1.2.5", .get, "/city",
        parameters: [
            Parameter("parent_id", .query, .integer, required: false, "parent region id; 0 (provinces) when omitted")
        ],
        response: .list(.city),
        kind: .ref
    )

    /// `GET /area/city`: the districts of a city, by the city's name (§1.2.6).
    public static let areasOfCity = Endpoint(
        "1.2.6", .get, "/area/city",
        parameters: [
            Parameter("name", .query, .string, required: false, "city name")
        ],
        response: .list(.city),
        kind: .ref
    )

    // MARK: - 3.1 Users

    /// `POST /register`: creates an account and answers the user of its type (§3.1.1).
    public static let register = Endpoint(
        "3.1.1", .post, "/register",
        parameters: [
            Parameter("phono", .body, .string, required: true, "mobile phone number (documented typo)"),
            Parameter("verify_code", .body, .string, required: true, "SMS verification code"),
            Parameter("pwd", .body, .string, required: true, "password"),
            Parameter("type", .body, .integer, required: true, "user type: 1 patient, 2 doctor, 3 assistant"),
        ],
        response: .userByType,
        kind: .auth
    )

    /// `POST /login`: logs in with phone and password; answers the user of its type with a token (§3.1.2).
    public static let login = Endpoint(
        "3.1.2", .post, "/login",
        parameters: [
            Parameter("phono", .body, .string, required: true, "mobile phone number (documented typo)"),
            Parameter("pwd", .body, .string, required: true, "password"),
            Parameter("type", .body, .integer, required: true, "user type: 1 patient, 2 doctor, 3 assistant"),
        ],
        response: .userByType,
        kind: .auth
    )

    /// `PUT /user`: completes the logged-in user's profile; fields depend on the role (§3.1.3-5).
    public static let completeProfile = Endpoint(
        "3.1.3-5", .put, "/user",
        parameters: [
            // Fields of every role (§3.1.3, §3.1.4, §3.1.5 mark them alike).
            Parameter("avatars", .body, .string, required: false, "avatar image URL"),
            Parameter("real_name", .body, .string, required: true, "real name"),
            Parameter("idno", .body, .string, required: true, "national ID number"),
            // Patient only (§3.1.3).
            Parameter("height", .body, .string, required: true, "height", roles: [.patient]),
            Parameter("weight", .body, .string, required: true, "weight", roles: [.patient]),
            Parameter("marital_status", .body, .integer, required: true, "0 single, 1 married", roles: [.patient]),
            Parameter("drink_status", .body, .integer, required: true, "0 does not drink, 1 drinks", roles: [.patient]),
            Parameter("smoking_status", .body, .integer, required: true, "0 does not smoke, 1 smokes", roles: [.patient]),
            // Doctor only (§3.1.4).
            Parameter("hospital_id", .body, .string, required: true, "hospital id", roles: [.doctor]),
            Parameter("departments", .body, .string, required: true, "department", roles: [.doctor]),
            Parameter("job_position", .body, .string, required: true, "job title", roles: [.doctor]),
            Parameter("good_at", .body, .string, required: true, "specialities", roles: [.doctor]),
            Parameter("work_photo", .body, .array(.string), required: true, "proof-of-employment image URLs", roles: [.doctor]),
            Parameter("abstract", .body, .string, required: false, "personal introduction", roles: [.doctor]),
            Parameter("work_time", .body, .jsonString, required: false, "JSON working hours, 7 days of {morning, afternoon}", roles: [.doctor]),
            // Assistant only (§3.1.5).
            Parameter("team_name", .body, .string, required: true, "volunteer team name", roles: [.assistant]),
            // Optional fields of every role.
            Parameter("email", .body, .string, required: false, "email address"),
            Parameter("province_id", .body, .integer, required: false, "province id"),
            Parameter("city_id", .body, .integer, required: false, "city id"),
            Parameter("county_id", .body, .integer, required: false, "county id"),
            Parameter("addr", .body, .string, required: false, "street address"),
        ],
        response: .userByType,
        kind: .write
    )

    /// `GET /user`: the logged-in user, shaped by its type (§3.1.6).
    public static let currentUser = Endpoint(
        "3.1.6", .get, "/user",
        response: .userByType,
        kind: .read
    )

    /// `POST /reset/pwd`: changes or recovers a password with an SMS code (§3.1.7).
    public static let resetPassword = Endpoint(
        "3.1.7", .post, "/reset/pwd",
        parameters: [
            Parameter("phono", .body, .string, required: true, "mobile phone number (documented typo)"),
            Parameter("verify_code", .body, .string, required: true, "SMS verification code"),
            Parameter("pwd", .body, .string, required: true, "new password"),
            Parameter("type", .body, .integer, required: true, "user type: 1 patient, 2 doctor, 3 assistant"),
        ],
        response: .empty,
        kind: .auth
    )

    /// `GET /follow/user/{id}`: follows a user (a write travelling as GET) (§3.1.8).
    public static let follow = Endpoint(
        "3.1.8", .get, "/follow/user/{id}",
        parameters: [
            .path("id", "user id")
        ],
        response: .empty,
        kind: .write,
        roles: [.patient, .assistant]
    )

    /// `DELETE /follow/user/{id}`: stops following a user (§3.1.9).
    public static let unfollow = Endpoint(
        "3.1.9", .delete, "/follow/user/{id}",
        parameters: [
            .path("id", "user id")
        ],
        response: .empty,
        kind: .write,
        roles: [.patient, .assistant]
    )

    /// `GET /user/{id}`: a user by id, shaped by its type (§3.1.10).
    public static let user = Endpoint(
        "3.1.10", .get, "/user/{id}",
        parameters: [
            .path("id", "user id")
        ],
        response: .userByType,
        kind: .read
    )

    /// `POST /phone/verifycode`: sends an SMS code without a captcha (§3.1.11).
    public static let sendVerifyCode = Endpoint(
        "3.1.11", .post, "/phone/verifycode",
        parameters: [
            Parameter("phone", .body, .string, required: true, "mobile phone number")
        ],
        response: .empty,
        kind: .auth
    )

    /// `GET /logout`: ends the session; the document insists it be called (§3.1.12).
    public static let logout = Endpoint(
        "3.1.12", .get, "/logout",
        response: .empty,
        kind: .auth
    )

    /// `GET /message`: the user's system messages, paged (§3.1.13).
    public static let systemMessages = Endpoint(
        "3.1.13", .get, "/message",
        parameters: Parameter.paging,
        response: .page(.systemMessage),
        kind: .read
    )

    /// `POST /login/phone`: logs in (registering if new) with an SMS code; answers the user and `is_new` (§3.1.14).
    public static let loginByPhone = Endpoint(
        "3.1.14", .post, "/login/phone",
        parameters: [
            Parameter("photo", .body, .string, required: true, "mobile phone number (documented as `photo`)"),
            Parameter("verify_code", .body, .string, required: true, "SMS verification code"),
        ],
        response: .userByTypeWithIsNew,
        kind: .auth
    )

    // MARK: - 3.2 Doctors

    /// `GET /doctor/assistant`: the doctor's assistants (§3.2.1).
    public static let doctorAssistants = Endpoint(
        "3.2.1", .get, "/doctor/assistant",
        response: .list(.assistant),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /weixin/media`: fetches a WeChat media item and answers its URL (the second §3.1.14).
    public static let weixinMedia = Endpoint(
        "3.1.14b", .get, "/weixin/media",
        parameters: [
            Parameter("media_id", .query, .string, required: true, "WeChat media id")
        ],
        response: .record(.fileURL),
        kind: .ref
    )

    /// `POST /project`: a doctor publishes a free-clinic project (§3.2.3).
    public static let publishProject = Endpoint(
        "3.2.3", .post, "/project",
        parameters: [
            Parameter("date", .body, .string, required: true, "clinic date, e.g. 2018-02-25"),
            Parameter("begin", .body, .string, required: true, "start time, e.g. 09:30:00"),
            Parameter("end", .body, .string, required: true, "end time, e.g. 11:00:00"),
            Parameter("people_count", .body, .integer, required: true, "number of patients"),
            Parameter("lng", .body, .string, required: true, "longitude"),
            Parameter("lat", .body, .string, required: true, "latitude"),
            Parameter("addr", .body, .string, required: true, "clinic address"),
            Parameter("service_target", .body, .array(.string), required: true, "target groups"),
            Parameter("abstract", .body, .string, required: true, "project description"),
            Parameter("price", .body, .integer, required: true, "registration deposit"),
        ],
        response: .record(.project),
        kind: .write,
        roles: [.doctor]
    )

    /// `GET /doctor/project`: the doctor's own projects (§3.2.4).
    public static let doctorProjects = Endpoint(
        "3.2.4", .get, "/doctor/project",
        response: .list(.project),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /project/{id}`: one project's details (§3.2.5, §3.3.3).
    public static let project = Endpoint(
        "3.2.5", .get, "/project/{id}",
        parameters: [
            .path("id", "project id")
        ],
        response: .record(.project),
        kind: .read
    )

    /// `GET /project/{id}/cancel`: the doctor cancels a project (a write travelling as GET) (§3.2.6).
    public static let cancelProject = Endpoint(
        "3.2.6", .get, "/project/{id}/cancel",
        parameters: [
            .path("id", "project id")
        ],
        response: .empty,
        kind: .write,
        roles: [.doctor]
    )

    /// `GET /project/{id}/patient`: the diagnoses (patients) of one of the doctor's projects (§3.2.7).
    public static let projectPatients = Endpoint(
        "3.2.7", .get, "/project/{id}/patient",
        parameters: [
            .path("id", "project id")
        ],
        response: .list(.diagnosis),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /doctor/comment`: the doctor's diagnoses that carry a patient's comment, paged (§3.2.18).
    public static let doctorComments = Endpoint(
        "3.2.18", .get, "/doctor/comment",
        parameters: Parameter.paging,
        response: .page(.diagnosis),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /doctor/project/patient`: the doctor's patients across projects, by status, paged (§3.2.8).
    public static let doctorProjectPatients = Endpoint(
        "3.2.8", .get, "/doctor/project/patient",
        parameters: [
            Parameter("status", .query, .integer, required: false, "1 waiting, 2 not seen, 3 seen")
        ] + Parameter.paging,
        response: .page(.diagnosis),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /diagnoses/{id}`: one diagnosis (a patient's registration for a project) (§3.2.9).
    public static let diagnosis = Endpoint(
        "3.2.9", .get, "/diagnoses/{id}",
        parameters: [
            .path("id", "diagnosis id")
        ],
        response: .record(.diagnosis),
        kind: .read
    )

    /// `POST /diagnoses/{id}/reject`: the doctor rejects a registration with a reason (§3.2.10).
    public static let rejectDiagnosis = Endpoint(
        "3.2.10", .post, "/diagnoses/{id}/reject",
        parameters: [
            .path("id", "diagnosis id"),
            Parameter("reject_msg", .body, .string, required: true, "reason for rejecting"),
        ],
        response: .empty,
        kind: .write,
        roles: [.doctor]
    )

    /// `GET /diagnoses/{id}/done`: the doctor confirms the visit took place (a write travelling as GET) (§3.2.11).
    public static let markDiagnosisDone = Endpoint(
        "3.2.11", .get, "/diagnoses/{id}/done",
        parameters: [
            .path("id", "diagnosis id")
        ],
        response: .empty,
        kind: .write,
        roles: [.doctor]
    )

    /// `POST /doctor/diagnoses/{id}/comment`: the doctor scores the patient's honesty and punctuality (§3.2.12).
    public static let ratePatient = Endpoint(
        "3.2.12", .post, "/doctor/diagnoses/{id}/comment",
        parameters: [
            .path("id", "diagnosis id"),
            Parameter("patient_credit_score", .body, .integer, required: true, "honesty score"),
            Parameter("patient_punctuality_score", .body, .integer, required: true, "punctuality score"),
        ],
        response: .empty,
        kind: .write,
        roles: [.doctor]
    )

    /// `PUT /diagnoses/{id}`: the doctor records the diagnosis result and photos (§3.2.13).
    public static let recordDiagnosisResult = Endpoint(
        "3.2.13", .put, "/diagnoses/{id}",
        parameters: [
            .path("id", "diagnosis id"),
            Parameter("diag_result", .body, .string, required: true, "diagnosis result"),
            Parameter("diag_photo", .body, .array(.string), required: false, "diagnosis photo URLs"),
        ],
        response: .empty,
        kind: .write,
        roles: [.doctor]
    )

    /// `GET /news/{type}/list`: the announcements for one audience, paged (§3.2.14).
    public static let newsList = Endpoint(
        "3.2.14", .get, "/news/{type}/list",
        parameters: [
            .path("type", "audience: 1 patients, 2 doctors, 3 assistants")
        ] + Parameter.paging,
        response: .page(.news),
        kind: .read
    )

    /// `GET /news/{id}`: one announcement (§3.2.15).
    public static let news = Endpoint(
        "3.2.15", .get, "/news/{id}",
        parameters: [
            .path("id", "news id")
        ],
        response: .record(.news),
        kind: .read
    )

    /// `GET /doctor/index`: the doctor's home page: news, profile, projects, diagnoses (§3.2.16).
    public static let doctorIndex = Endpoint(
        "3.2.16", .get, "/doctor/index",
        response: .record(.doctorIndex),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /org`: organisations to choose from when joining one, searchable (the second §3.2.18, §3.3.21).
    public static let organisations = Endpoint(
        "3.2.18b", .get, "/org",
        parameters: [
            Parameter("keyword", .query, .string, required: false, "organisation name search")
        ],
        response: .page(.organisation),
        kind: .ref
    )

    /// `POST /org_add/{org_id}`: the doctor applies to join an organisation (§3.2.19).
    public static let joinOrganisation = Endpoint(
        "3.2.19", .post, "/org_add/{org_id}",
        parameters: [
            .path("org_id", "organisation id")
        ],
        response: .null,
        kind: .write,
        roles: [.doctor]
    )

    /// `DELETE /org_remove/{id}`: the doctor leaves an organisation, by the id of its `/org/my` row (§3.2.20).
    public static let leaveOrganisation = Endpoint(
        "3.2.20", .delete, "/org_remove/{id}",
        parameters: [
            .path("id", "membership id, as listed by /org/my")
        ],
        response: .null,
        kind: .write,
        roles: [.doctor]
    )

    /// `GET /org/my`: the organisations the doctor has applied to, with their review status (§3.2.21).
    public static let myOrganisations = Endpoint(
        "3.2.21", .get, "/org/my",
        response: .page(.orgMembership),
        kind: .read,
        roles: [.doctor]
    )

    /// `GET /all_diagnoses/{id}`: every diagnosis of a patient, as a bare array (§3.2.22).
    public static let patientDiagnosisRecords = Endpoint(
        "3.2.22", .get, "/all_diagnoses/{id}",
        parameters: [
            .path("id", "the patient's user_id")
        ],
        response: .bareArray(.diagnosisRecord),
        kind: .read,
        roles: [.doctor]
    )

    // MARK: - 3.3 Patients

    /// `GET /hospital`: hospitals, searchable and paged (§3.3.1, §3.2.17).
    public static let hospitals = Endpoint(
        "3.3.1", .get, "/hospital",
        parameters: [
            Parameter("keyword", .query, .string, required: false, "search text")
        ] + Parameter.paging,
        response: .page(.hospital),
        kind: .ref
    )

    /// `GET /project`: projects to join, searchable, filtered and sorted, paged (§3.3.2).
    public static let projects = Endpoint(
        "3.3.2", .get, "/project",
        parameters: [
            Parameter("keyword", .query, .string, required: false, "search text"),
            Parameter("sort", .query, .integer, required: false, "1 nearest, 2 newest, 3 popular"),
            Parameter("service_target", .query, .string, required: false, "target group, e.g. elderly, children"),
            Parameter("departments", .query, .string, required: false, "disease type, as a department"),
            Parameter("hospital_id", .query, .integer, required: false, "hospital id"),
            Parameter("org_id", .query, .integer, required: false, "organisation id"),
        ] + Parameter.paging,
        response: .page(.project),
        kind: .read,
        roles: [.patient, .assistant]
    )

    /// `POST /project/{id}/join`: the patient registers for a project with a case description (§3.3.4).
    public static let projectJoin = Endpoint(
        "3.3.4", .post, "/project/{id}/join",
        parameters: [
            .path("id", "project id"),
            Parameter("content", .body, .string, required: true, "case description"),
            Parameter("photo", .body, .array(.string), required: false, "case photo URLs, at most 3"),
            Parameter("plan_time", .body, .string, required: false, "chosen time slot, e.g. \"15:23:00 - 15:53:00\""),
        ],
        response: .empty,
        kind: .write,
        roles: [.patient]
    )

    /// `GET /custom/project/{id}/cancel`: the patient withdraws from a project (a write travelling as GET) (§3.3.5).
    public static let cancelProjectJoin = Endpoint(
        "3.3.5", .get, "/custom/project/{id}/cancel",
        parameters: [
            .path("id", "project id")
        ],
        response: .empty,
        kind: .write,
        roles: [.patient]
    )

    /// `GET /doctor/{id}/comment`: a doctor's diagnoses that carry a patient's comment, paged (§3.3.6).
    public static let doctorCommentsById = Endpoint(
        "3.3.6", .get, "/doctor/{id}/comment",
        parameters: [
            .path("id", "doctor id")
        ] + Parameter.paging,
        response: .page(.diagnosis),
        kind: .read
    )

    /// `GET /project/{id}/casebook`: the patient's case record for a project (§3.3.8).
    public static let projectCasebook = Endpoint(
        "3.3.8", .get, "/project/{id}/casebook",
        parameters: [
            .path("id", "project id")
        ],
        response: .record(.casebook),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /doctor/list`: doctors, searchable, filtered and sorted, paged (§3.3.9).
    public static let doctors = Endpoint(
        "3.3.9", .get, "/doctor/list",
        parameters: [
            Parameter("keyword", .query, .string, required: false, "search text"),
            Parameter("sort", .query, .integer, required: false, "1 best rated, 2 popular"),
            Parameter("departments", .query, .string, required: false, "disease type, as a department"),
            Parameter("job_position", .query, .string, required: false, "job title"),
            Parameter("hospital_id", .query, .integer, required: false, "hospital id"),
            Parameter("org_id", .query, .integer, required: false, "organisation id"),
        ] + Parameter.paging,
        response: .page(.doctor),
        kind: .ref
    )

    /// `GET /custom/doctor/{id}/project`: one doctor's projects as a patient sees them, paged (§3.3.11).
    public static let doctorProjectsForPatient = Endpoint(
        "3.3.11", .get, "/custom/doctor/{id}/project",
        parameters: [
            .path("id", "doctor id")
        ] + Parameter.paging,
        response: .page(.project),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/follow`: the doctors the patient follows, paged (§3.3.12).
    public static let patientFollows = Endpoint(
        "3.3.12", .get, "/custom/follow",
        parameters: Parameter.paging,
        response: .page(.doctor),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/diagnoses`: the patient's registrations, by state, paged (§3.3.13).
    public static let patientDiagnoses = Endpoint(
        "3.3.13", .get, "/custom/diagnoses",
        parameters: [
            Parameter("type", .query, .integer, required: false, "1 registered, 2 failed, 3 no-show, 4 done")
        ] + Parameter.paging,
        response: .page(.diagnosis),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/need/comment`: the patient's diagnoses still awaiting a comment on the doctor, paged (§3.3.14).
    public static let diagnosesAwaitingComment = Endpoint(
        "3.3.14", .get, "/custom/need/comment",
        parameters: Parameter.paging,
        response: .page(.diagnosis),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/payment/diagnoses`: the patient's refunds, as diagnoses, paged (§3.3.15).
    public static let refundDiagnoses = Endpoint(
        "3.3.15", .get, "/custom/payment/diagnoses",
        parameters: Parameter.paging,
        response: .page(.diagnosis),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/assistant`: the patient's assistants (§3.3.16).
    public static let patientAssistants = Endpoint(
        "3.3.16", .get, "/custom/assistant",
        response: .list(.assistant),
        kind: .read,
        roles: [.patient]
    )

    /// `POST /custom/diagnoses/{id}/comment`: the patient scores and comments on the doctor (§3.3.17).
    public static let rateDoctor = Endpoint(
        "3.3.17", .post, "/custom/diagnoses/{id}/comment",
        parameters: [
            .path("id", "diagnosis id"),
            Parameter("doctor_score", .body, .integer, required: true, "score for the doctor"),
            Parameter("doctor_comment", .body, .string, required: true, "comment on the doctor"),
        ],
        response: .empty,
        kind: .write,
        roles: [.patient]
    )

    /// `GET /custom/center`: the patient's personal centre: profile and unread message count (§3.3.18).
    public static let patientCenter = Endpoint(
        "3.3.18", .get, "/custom/center",
        response: .record(.userCenter),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /custom/homepage`: the patient's home page, optionally for one hospital or organisation (§3.3.19).
    public static let patientHomepage = Endpoint(
        "3.3.19", .get, "/custom/homepage",
        parameters: [
            Parameter("hospital_id", .query, .integer, required: false, "hospital whose home page to show"),
            Parameter("org_id", .query, .integer, required: false, "organisation whose home page to show"),
        ],
        response: .record(.patientHomepage),
        kind: .read,
        roles: [.patient]
    )

    /// `GET /order/query/{sn}`: the diagnosis bought by a payment order, or empty if it failed (§3.3.20).
    public static let orderQuery = Endpoint(
        "3.3.20", .get, "/order/query/{sn}",
        parameters: [
            Parameter("sn", .path, .string, required: true, "order serial number")
        ],
        response: .optionalRecord(.diagnosis),
        kind: .read,
        roles: [.patient]
    )

    // MARK: - 3.4 Assistants

    /// `GET /assistant/follow`: the doctors the assistant follows, paged (§3.4.2).
    public static let assistantFollows = Endpoint(
        "3.4.2", .get, "/assistant/follow",
        parameters: Parameter.paging,
        response: .page(.doctor),
        kind: .read,
        roles: [.assistant]
    )

    /// `POST /assistant/bind/patient`: the assistant takes on an existing patient account by SMS code (§3.4.3).
    public static let bindPatient = Endpoint(
        "3.4.3", .post, "/assistant/bind/patient",
        parameters: [
            Parameter("phone", .body, .string, required: true, "the patient's mobile phone number"),
            Parameter("verify_code", .body, .string, required: true, "SMS verification code"),
        ],
        response: .empty,
        kind: .write,
        roles: [.assistant]
    )

    /// `POST /assistant/create/patient`: the assistant creates a patient account; no id is returned (§3.4.4).
    public static let createPatient = Endpoint(
        "3.4.4", .post, "/assistant/create/patient",
        parameters: [
            Parameter("avatars", .body, .string, required: false, "avatar image URL"),
            Parameter("real_name", .body, .string, required: true, "real name"),
            Parameter("idno", .body, .string, required: true, "national ID number"),
            Parameter("height", .body, .string, required: true, "height"),
            Parameter("weight", .body, .string, required: true, "weight"),
            Parameter("marital_status", .body, .integer, required: true, "0 single, 1 married"),
            Parameter("drink_status", .body, .integer, required: true, "0 does not drink, 1 drinks"),
            Parameter("smoking_status", .body, .integer, required: true, "0 does not smoke, 1 smokes"),
            Parameter("email", .body, .string, required: false, "email address"),
            Parameter("province_id", .body, .integer, required: false, "province id"),
            Parameter("city_id", .body, .integer, required: false, "city id"),
            Parameter("county_id", .body, .integer, required: false, "county id"),
            Parameter("addr", .body, .string, required: false, "street address"),
            Parameter("pwd", .body, .string, required: true, "password of the new account"),
        ],
        response: .empty,
        kind: .write,
        roles: [.assistant]
    )

    /// `GET /assistant/patient`: the assistant's patients, searchable, paged (§3.4.5).
    public static let assistantPatients = Endpoint(
        "3.4.5", .get, "/assistant/patient",
        parameters: [
            Parameter("keyword", .query, .string, required: false, "search text")
        ] + Parameter.paging,
        response: .page(.patient),
        kind: .read,
        roles: [.assistant]
    )

    /// `POST /assistant/join/project/{id}`: the assistant registers one of its patients for a project (§3.4.7).
    public static let joinProjectOnBehalf = Endpoint(
        "3.4.7", .post, "/assistant/join/project/{id}",
        parameters: [
            .path("id", "project id"),
            Parameter("user_id", .body, .integer, required: true, "the patient's user id"),
            Parameter("plan_time", .body, .string, required: true, "chosen time slot, e.g. \"15:23:00 - 15:53:00\""),
        ],
        response: .empty,
        kind: .write,
        roles: [.assistant]
    )

    /// `GET /assistant/project`: the projects the assistant has registered patients for, paged (§3.4.8).
    public static let assistantProjects = Endpoint(
        "3.4.8", .get, "/assistant/project",
        parameters: Parameter.paging,
        response: .page(.project),
        kind: .read,
        roles: [.assistant]
    )

    /// `GET /assistant/project/{id}/paitient`: the assistant's registrations for one project (path typo as documented) (§3.4.9).
    public static let assistantProjectPatients = Endpoint(
        "3.4.9", .get, "/assistant/project/{id}/paitient",
        parameters: [
            .path("id", "project id")
        ],
        response: .page(.diagnosis),
        kind: .read,
        roles: [.assistant]
    )

    /// `GET /assistant/diagnoses/{id}/cancel`: the assistant cancels a registration (a write travelling as GET) (§3.4.10).
    public static let cancelDiagnosisOnBehalf = Endpoint(
        "3.4.10", .get, "/assistant/diagnoses/{id}/cancel",
        parameters: [
            .path("id", "diagnosis id")
        ],
        response: .empty,
        kind: .write,
        roles: [.assistant]
    )

    /// `GET /assistant/center`: the assistant's personal centre: profile and unread message count (§3.4.11).
    public static let assistantCenter = Endpoint(
        "3.4.11", .get, "/assistant/center",
        response: .record(.userCenter),
        kind: .read,
        roles: [.assistant]
    )

    /// `GET /assistant/homepage`: the assistant's home page: banners, news, projects (§3.4.12).
    public static let assistantHomepage = Endpoint(
        "3.4.12", .get, "/assistant/homepage",
        response: .record(.assistantHomepage),
        kind: .read,
        roles: [.assistant]
    )

    // MARK: - 3.5 Special projects

    /// `GET /sp_project`: special (themed) projects, paged (§3.5.1).
    public static let specialProjects = Endpoint(
        "3.5.1", .get, "/sp_project",
        parameters: Parameter.paging,
        response: .page(.specialProject),
        kind: .read
    )

    /// `GET /sp_project/{id}`: the projects of one special project, paged (§3.5.2).
    public static let specialProjectProjects = Endpoint(
        "3.5.2", .get, "/sp_project/{id}",
        parameters: [
            .path("id", "special project id")
        ] + Parameter.paging,
        response: .page(.project),
        kind: .read
    )

    // MARK: - 3.6 Chat

    /// `GET /chat`: the user's chat dialogs, most recent first, paged (§3.6.1).
    public static let chatDialogs = Endpoint(
        "3.6.1", .get, "/chat",
        parameters: Parameter.paging,
        response: .page(.chatDialog),
        kind: .read,
        roles: [.patient, .doctor]
    )

    /// `POST /chat`: sends a chat message; answers the dialog's messages in order (§3.6.2).
    public static let sendChatMessage = Endpoint(
        "3.6.2", .post, "/chat",
        parameters: [
            Parameter("content", .body, .string, required: true, "message text, at most 256 characters"),
            Parameter("photo", .body, .array(.string), required: true, "message photo URLs, at most 3"),
            Parameter("type", .body, .integer, required: true, "sender's type: 1 patient, 2 doctor"),
            Parameter("to_user_id", .body, .integer, required: true, "recipient's user id"),
        ],
        response: .list(.chatMessage),
        kind: .write,
        roles: [.patient, .doctor]
    )

    /// `GET /chat/{id}`: the messages of one dialog, oldest first (§3.6.3).
    public static let chatMessages = Endpoint(
        "3.6.3", .get, "/chat/{id}",
        parameters: [
            .path("id", "dialog id (chat_dialog id)")
        ] + Parameter.paging,
        response: .list(.chatMessage),
        kind: .read,
        roles: [.patient, .doctor]
    )

    // MARK: - All

    /// Every documented endpoint, in the order of ENDPOINTS.md.
    public static let all: [Endpoint] = [
        imageUpload, captcha, sendVerifyCodeWithCaptcha, cities, areasOfCity,
        register, login, completeProfile, currentUser, resetPassword, follow, unfollow, user,
        sendVerifyCode, logout, systemMessages, loginByPhone,
        doctorAssistants, weixinMedia, publishProject, doctorProjects, project, cancelProject,
        projectPatients, doctorComments, doctorProjectPatients, diagnosis, rejectDiagnosis,
        markDiagnosisDone, ratePatient, recordDiagnosisResult, newsList, news, doctorIndex,
        organisations, joinOrganisation, leaveOrganisation, myOrganisations, patientDiagnosisRecords,
        hospitals, projects, projectJoin, cancelProjectJoin, doctorCommentsById, projectCasebook,
        doctors, doctorProjectsForPatient, patientFollows, patientDiagnoses, diagnosesAwaitingComment,
        refundDiagnoses, patientAssistants, rateDoctor, patientCenter, patientHomepage, orderQuery,
        assistantFollows, bindPatient, createPatient, assistantPatients, joinProjectOnBehalf,
        assistantProjects, assistantProjectPatients, cancelDiagnosisOnBehalf, assistantCenter,
        assistantHomepage,
        specialProjects, specialProjectProjects,
        chatDialogs, sendChatMessage, chatMessages,
    ]
}
