/// The screens' mustache templates, compiled into the binary so that vdkiosk is one file to
/// install and can never load anything from elsewhere. `{{x}}` escapes; only the frame's
/// `{{{strip}}}` and `{{{body}}}` take HTML, rendered from these same templates.
///
/// Live regions carry `data-live` and an id: kiosk.js swaps them in place when a change arrives,
/// but never a region holding a form someone is typing in.
enum KioskTemplates {
    static let all: [String: String] = [
        "layout": layout, "plain": plain, "status_strip": statusStrip,
        "login": login, "outbox": outbox,
        "doctor_home": doctorHome, "doctor_clinic": doctorClinic, "doctor_booking": doctorBooking,
        "chats": chats, "chat": chat, "messages": messages,
        "assistant_home": assistantHome, "assistant_clinic": assistantClinic, "assistant_patients": assistantPatients,
        "patient_home": patientHome, "patient_clinic": patientClinic, "patient_bookings": patientBookings,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{t.app_title}}</title>
        <link rel="stylesheet" href="/static/kiosk.css">
        <script src="/static/kiosk.js" defer></script>
        </head>
        <body data-role="{{role}}">
        <a class="skip" href="#content">{{t.skip_to_content}}</a>
        <header class="frame">
        <div id="status-strip" class="strip" data-live role="status" aria-live="polite" aria-label="{{t.status_label}}">{{{strip}}}</div>
        {{#logged_in}}
        <nav aria-label="{{t.app_title}}">
        {{#nav}}<a class="nav-link" href="{{href}}">{{label}}</a>{{/nav}}
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="link-button">{{t.nav_logout}}</button></form>
        </nav>
        {{/logged_in}}
        </header>
        <main id="content" tabindex="-1">
        <h1>{{title}}</h1>
        {{{body}}}
        </main>
        <p id="live-note" class="live-note" hidden>{{t.updated_live}}</p>
        </body>
        </html>
        """

    static let plain = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{t.app_title}}</title><link rel="stylesheet" href="/static/kiosk.css">
        <script src="/static/kiosk.js" defer></script></head>
        <body{{#retry}} data-retry="1"{{/retry}}>
        <main id="content" class="plain"><h1>{{title}}</h1><p id="plain-message">{{message}}</p>
        {{#back}}<p><a class="button" href="{{back}}">{{t.back}}</a></p>{{/back}}</main>
        </body>
        </html>
        """

    static let statusStrip = """
        <span id="connectivity" class="badge {{connectivity}}">{{connectivity_label}}</span>
        {{#login_needed}}<a id="login-needed" class="badge warn" href="/login">{{#expired}}{{t.session_expired}}{{/expired}}{{^expired}}{{t.login_needed}}{{/expired}}</a>{{/login_needed}}
        <a id="outbox-waiting" class="badge{{#has_waiting}} pending{{/has_waiting}}" href="/outbox">{{t.outbox_waiting}} {{waiting}}</a>
        <a id="outbox-failed" class="badge{{#has_failed}} warn{{/has_failed}}" href="/outbox">{{t.outbox_failed}} {{failed}}</a>
        <span class="syncs">{{t.last_sync}}：{{#never_synced}}{{t.never}}{{/never_synced}}{{#areas}}<span class="area">{{label}} {{time}}</span>{{/areas}}</span>
        """

    static let login = """
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <section class="card" aria-labelledby="by-password"><h2 id="by-password">{{t.login_by_password}}</h2>
        <form method="post" action="/login" id="login-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="phone">{{t.phone}}</label>
        <input id="phone" name="phone" inputmode="numeric" autocomplete="username" value="{{values.phone}}" aria-describedby="phone-error" required>
        <p class="field-error" id="phone-error">{{errors.phone}}</p>
        <label for="password">{{t.password}}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <p class="field-error" id="password-error">{{errors.password}}</p>
        <fieldset><legend>{{t.role}}</legend>
        {{#roles}}<label class="choice"><input type="radio" name="role" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/roles}}
        </fieldset>
        <p class="field-error" id="role-error">{{errors.role}}</p>
        <button type="submit" class="primary">{{t.login_submit}}</button>
        </form></section>
        <section class="card" aria-labelledby="by-code"><h2 id="by-code">{{t.login_by_code}}</h2>
        <form method="post" action="/login/code/send" id="send-code-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="code-phone">{{t.phone}}</label>
        <input id="code-phone" name="phone" inputmode="numeric" value="{{values.code_phone}}" aria-describedby="code-phone-error" required>
        <p class="field-error" id="code-phone-error">{{errors.code_phone}}</p>
        <button type="submit">{{t.send_code}}</button>
        </form>
        <form method="post" action="/login/code" id="code-login-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="phone" value="{{values.code_phone}}">
        <label for="verify_code">{{t.verify_code}}</label>
        <input id="verify_code" name="verify_code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="verify_code-error">
        <p class="field-error" id="verify_code-error">{{errors.verify_code}}</p>
        <button type="submit" class="primary">{{t.login_submit}}</button>
        </form></section>
        """

    static let outbox = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <section id="outbox-list" data-live aria-label="{{t.outbox_title}}">
        {{^entries}}<p class="empty">{{t.outbox_empty}}</p>{{/entries}}
        {{#has_entries}}<table><thead><tr><th>#</th><th>{{t.outbox_kind}}</th><th>{{t.outbox_state}}</th><th>{{t.outbox_created}}</th><th>{{t.outbox_message}}</th><th></th></tr></thead><tbody>
        {{#entries}}<tr class="entry state-{{state}}" data-mutation="{{mutation_id}}"><td>{{mutation_id}}</td><td>{{kind_label}}</td><td>{{state_label}}</td><td>{{created_at}}</td><td class="server-message">{{message}}</td>
        <td>{{#actionable}}<form method="post" action="/outbox/{{mutation_id}}/retry" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">{{t.retry}}</button></form>
        <form method="post" action="/outbox/{{mutation_id}}/discard" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">{{t.discard}}</button></form>{{/actionable}}
        {{^actionable}}{{#discardable}}<form method="post" action="/outbox/{{mutation_id}}/discard" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">{{t.discard}}</button></form>{{/discardable}}{{/actionable}}</td></tr>{{/entries}}
        </tbody></table>{{/has_entries}}
        </section>
        """

    static let clinicCard = """
        <li class="clinic{{#pending}} is-pending{{/pending}}"><a class="card-link" href="{{href}}"><span class="when">{{date}} {{time}}</span>
        <span class="where">{{hospital}} · {{address}}</span><span class="count">{{t.booked}} {{booked}}/{{capacity}}{{#free}} · {{t.free_places}} {{free}}{{/free}}{{#distance}} · {{t.distance}} {{distance}} km{{/distance}}</span>
        {{#pending}}<span class="badge pending">{{t.pending}}</span>{{/pending}}</a></li>
        """

    static let doctorHome = """
        <section id="clinics-today" data-live aria-labelledby="today-title"><h2 id="today-title">{{t.clinics_today}}</h2>
        <ul class="cards">{{#today}}\(clinicCard){{/today}}</ul>{{^today}}<p class="empty">{{t.clinics_none}}</p>{{/today}}</section>
        <section id="clinics-upcoming" data-live aria-labelledby="upcoming-title"><h2 id="upcoming-title">{{t.clinics_upcoming}}</h2>
        <ul class="cards">{{#upcoming}}\(clinicCard){{/upcoming}}</ul>{{^upcoming}}<p class="empty">{{t.clinics_none}}</p>{{/upcoming}}</section>
        """

    /// A long list's previous and next pages.
    static let pageLinks = """
        <p class="pages">{{#previous_page}}<a class="button" href="{{previous_page}}" rel="prev">{{t.previous_page}}</a> {{/previous_page}}{{#next_page}}<a class="button" href="{{next_page}}" rel="next">{{t.next_page}}</a>{{/next_page}}</p>
        """

    static let clinicHeader = """
        {{#clinic}}<p class="clinic-head">{{date}} {{time}} · {{hospital}} · {{address}} · {{t.booked}} {{booked}}/{{capacity}}</p>{{/clinic}}
        """

    static let bookingRows = """
        <table class="bookings"><thead><tr><th>{{t.visit_time}}</th><th>{{t.patient}}</th><th>{{t.visit_status}}</th><th>{{t.booking_status}}</th><th></th></tr></thead><tbody>
        {{#bookings}}<tr class="booking{{#pending}} is-pending{{/pending}}" data-booking="{{id}}"><td>{{visit_time}}</td><td>{{patient_name}}</td><td class="visit-status">{{visit_status}}</td><td>{{booking_status}}</td>
        <td>{{#pending}}<span class="badge pending" title="{{t.pending_hint}}">{{t.pending}}</span>{{/pending}}{{#href}}<a class="button" href="{{href}}">{{t.open}}</a>{{/href}}{{#can_cancel}}<form method="post" action="{{cancel_action}}" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">{{t.cancel_booking}}</button></form>{{/can_cancel}}</td></tr>{{/bookings}}
        </tbody></table>
        """

    static let doctorClinic = """
        \(clinicHeader)
        <section id="clinic-bookings" data-live aria-label="{{t.bookings}}">
        {{^bookings}}<p class="empty">{{t.bookings_none}}</p>{{/bookings}}{{#has_bookings}}\(bookingRows){{/has_bookings}}
        </section>
        """

    /// What became of the mutations made on this screen: pending, applied, or the server's refusal.
    static let actionStates = """
        <div id="action-states">{{#actions}}<p class="action action-{{state}}" role="status" data-mutation="{{mutation_id}}">{{kind_label}}：{{state_label}}{{#message}} · <span class="server-message">{{message}}</span>{{/message}}</p>{{/actions}}</div>
        """

    static let photoList = """
        <ul class="photos">{{#photos}}<li><img src="{{src}}" alt="{{t.photos}} {{index}}" loading="lazy"></li>{{/photos}}</ul>
        """

    static let doctorBooking = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <section id="booking-summary" data-live class="card" aria-label="{{t.patient_page}}">
        {{#booking}}<h2>{{patient_name}}{{#pending}} <span class="badge pending" title="{{t.pending_hint}}">{{t.pending}}</span>{{/pending}}</h2>
        <p>{{t.visit_time}}：{{visit_time}} · {{t.visit_status}}：<span id="visit-status">{{visit_status}}</span> · {{t.booking_status}}：{{booking_status}}</p>
        <p>{{t.age}} {{age}} · {{t.height}} {{height}} · {{t.weight}} {{weight}}</p>
        <h3>{{t.casebook}}</h3><p class="casebook">{{casebook}}</p>\(photoList)
        {{#result}}<h3>{{t.result}}</h3><p id="recorded-result">{{result}}</p>{{/result}}
        {{/booking}}
        \(actionStates)
        </section>
        <section class="card actions" aria-label="{{t.mark_seen}}">
        <form method="post" action="{{base}}/seen" id="seen-form"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="primary">{{t.mark_seen}}</button></form>
        <form method="post" action="{{base}}/reject" id="reject-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="reason">{{t.reject_reason}}</label><input id="reason" name="reason" value="{{values.reason}}" aria-describedby="reason-error">
        <p class="field-error" id="reason-error">{{errors.reason}}</p><button type="submit" class="danger">{{t.reject}}</button></form>
        </section>
        <section class="card" aria-labelledby="result-title"><h2 id="result-title">{{t.record_result}}</h2>
        <form method="post" action="{{base}}/result" enctype="multipart/form-data" id="result-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="result">{{t.result}}</label><textarea id="result" name="result" rows="4" aria-describedby="result-error">{{values.result}}</textarea>
        <p class="field-error" id="result-error">{{errors.result}}</p>
        <label for="photos">{{t.photos}}（{{t.photos_hint}}）</label><input id="photos" name="photos" type="file" accept="image/*" capture="environment" multiple aria-describedby="photos-error">
        <p class="field-error" id="photos-error">{{errors.photos}}</p>
        <button type="submit" class="primary">{{t.save}}</button></form></section>
        <section class="card" aria-labelledby="rate-title"><h2 id="rate-title">{{t.rate_patient}}</h2>
        <form method="post" action="{{base}}/rate" id="rate-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="honesty">{{t.honesty}}</label><select id="honesty" name="honesty">{{#scores}}<option value="{{.}}">{{.}}</option>{{/scores}}</select>
        <label for="punctuality">{{t.punctuality}}</label><select id="punctuality" name="punctuality">{{#scores}}<option value="{{.}}">{{.}}</option>{{/scores}}</select>
        <p class="field-error" id="honesty-error">{{errors.honesty}}</p><button type="submit">{{t.save}}</button></form></section>
        <section id="earlier-visits" data-live class="card" aria-labelledby="visits-title"><h2 id="visits-title">{{t.earlier_visits}}</h2>
        {{^visits}}<p class="empty">{{t.earlier_visits_none}}</p>{{/visits}}
        <ul>{{#visits}}<li>{{date}} · {{doctor}} · {{casebook}}{{#result}} · {{t.result}}：{{result}}{{/result}}</li>{{/visits}}</ul></section>
        """

    static let chats = """
        <section id="dialogs" data-live aria-label="{{t.chats_title}}">
        {{^dialogs}}<p class="empty">{{t.chats_none}}</p>{{/dialogs}}
        <ul class="cards">{{#dialogs}}<li><a class="card-link" href="/chats/{{id}}"><span class="who">{{name}}</span><span class="last">{{last}}</span></a></li>{{/dialogs}}</ul>
        </section>
        """

    static let chat = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <section id="chat-messages" data-live aria-label="{{title}}"><ol class="messages">
        {{#messages}}<li class="message{{#mine}} mine{{/mine}}{{#pending}} is-pending{{/pending}}"><span class="from">{{from}}</span> <span class="content">{{content}}</span>
        {{#pending}}<span class="badge pending">{{t.pending}}</span>{{/pending}}\(photoList)</li>{{/messages}}</ol></section>
        <form method="post" action="/chats/{{dialog_id}}" enctype="multipart/form-data" id="chat-form" class="card"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="content">{{t.message_content}}</label><input id="content" name="content" value="{{values.content}}" aria-describedby="content-error">
        <p class="field-error" id="content-error">{{errors.content}}</p>
        <label for="chat-photos">{{t.photos}}</label><input id="chat-photos" name="photos" type="file" accept="image/*" capture="environment" multiple>
        <button type="submit" class="primary">{{t.send}}</button></form>
        """

    static let messages = """
        <section id="system-messages" data-live aria-label="{{t.messages_title}}">
        {{^messages}}<p class="empty">{{t.messages_none}}</p>{{/messages}}
        <ul class="cards">{{#messages}}<li class="card"><h2>{{title}}</h2><p>{{content}}</p><p class="meta">{{time}}</p></li>{{/messages}}</ul>
        </section>
        """

    static let assistantHome = """
        <section id="assistant-clinics" data-live aria-labelledby="clinics-title"><h2 id="clinics-title">{{t.clinics_upcoming}}</h2>
        <ul class="cards">{{#clinics}}\(clinicCard){{/clinics}}</ul>{{^clinics}}<p class="empty">{{t.clinics_none}}</p>{{/clinics}}
        \(pageLinks)</section>
        """

    static let assistantClinic = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        \(clinicHeader)
        <section id="clinic-bookings" data-live aria-label="{{t.bookings}}">
        {{^bookings}}<p class="empty">{{t.bookings_none}}</p>{{/bookings}}{{#has_bookings}}\(bookingRows){{/has_bookings}}
        \(actionStates)
        </section>
        <section class="card" aria-labelledby="book-title"><h2 id="book-title">{{t.book_patient}}</h2>
        <form method="post" action="{{base}}/book" id="book-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="patient_id">{{t.patient}}</label><select id="patient_id" name="patient_id" aria-describedby="patient_id-error"><option value="">{{t.choose}}</option>
        {{#patients}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}{{#pending}}（{{t.pending}}）{{/pending}}</option>{{/patients}}</select>
        <p class="field-error" id="patient_id-error">{{errors.patient_id}}</p>
        <label for="slot">{{t.slot}}</label><select id="slot" name="slot" aria-describedby="slot-error"><option value="">{{t.choose}}</option>{{#slots}}<option value="{{label}}">{{label}}（{{t.free_places}} {{remaining}}）</option>{{/slots}}</select>
        <p class="field-error" id="slot-error">{{errors.slot}}</p>
        <button type="submit" class="primary">{{t.book}}</button></form></section>
        """

    static let assistantPatients = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <form method="get" action="/assistant/patients" class="card" role="search" id="find-form"><label for="q">{{t.find_patient}}</label>
        <input id="q" name="q" value="{{query}}" placeholder="{{t.find_hint}}"><button type="submit">{{t.search}}</button></form>
        <section id="patients-list" data-live aria-label="{{t.nav_patients}}">
        {{^patients}}<p class="empty">{{t.patients_none}}</p>{{/patients}}
        <ul class="cards">{{#patients}}<li class="patient{{#pending}} is-pending{{/pending}}" data-patient="{{id}}">{{name}} · {{phone}}{{#pending}} <span class="badge pending">{{t.pending}}</span>{{/pending}}</li>{{/patients}}</ul>
        \(actionStates)
        </section>
        <section class="card" aria-labelledby="create-title"><h2 id="create-title">{{t.create_patient}}</h2>
        <form method="post" action="/assistant/patients" id="create-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        {{#fields}}<label for="{{name}}">{{label}}</label><input id="{{name}}" name="{{name}}"{{#secret}} type="password" autocomplete="new-password"{{/secret}}{{^secret}} value="{{value}}"{{/secret}} aria-describedby="{{name}}-error">
        <p class="field-error" id="{{name}}-error">{{error}}</p>{{/fields}}
        {{#choices}}<fieldset><legend>{{label}}</legend>{{#options}}<label class="choice"><input type="radio" name="{{name}}" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/options}}</fieldset>
        <p class="field-error" id="{{name}}-error">{{error}}</p>{{/choices}}
        <button type="submit" class="primary">{{t.create_patient}}</button></form></section>
        """

    static let patientHome = """
        <section id="open-clinics" data-live aria-labelledby="open-title"><h2 id="open-title">{{t.clinics_with_places}}</h2>
        <ul class="cards">{{#clinics}}\(clinicCard){{/clinics}}</ul>{{^clinics}}<p class="empty">{{t.clinics_none}}</p>{{/clinics}}
        \(pageLinks)</section>
        """

    static let patientClinic = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        \(clinicHeader)
        {{#clinic}}<p class="doctor">{{t.doctor}}：{{doctor}}</p><p>{{abstract}}</p>{{/clinic}}
        <section class="card" aria-labelledby="book-title"><h2 id="book-title">{{t.book_title}}</h2>
        <form method="post" action="{{base}}/book" enctype="multipart/form-data" id="book-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="slot">{{t.slot}}</label><select id="slot" name="slot" aria-describedby="slot-error"><option value="">{{t.choose}}</option>{{#slots}}<option value="{{label}}">{{label}}（{{t.free_places}} {{remaining}}）</option>{{/slots}}</select>
        <p class="field-error" id="slot-error">{{errors.slot}}</p>
        <label for="description">{{t.symptoms}}</label><textarea id="description" name="description" rows="4" aria-describedby="description-error">{{values.description}}</textarea>
        <p class="field-error" id="description-error">{{errors.description}}</p>
        <label for="photos">{{t.photos}}（{{t.photos_hint}}）</label><input id="photos" name="photos" type="file" accept="image/*" capture="environment" multiple aria-describedby="photos-error">
        <p class="field-error" id="photos-error">{{errors.photos}}</p>
        <button type="submit" class="primary">{{t.book}}</button></form></section>
        """

    static let patientBookings = """
        {{#message}}<p class="form-error" role="alert" id="form-message">{{message}}</p>{{/message}}
        <section id="my-bookings" data-live aria-label="{{t.my_bookings}}">
        {{^bookings}}<p class="empty">{{t.bookings_none}}</p>{{/bookings}}
        <ul class="cards">{{#bookings}}<li class="card booking{{#pending}} is-pending{{/pending}}" data-booking="{{id}}"><h2>{{clinic}}</h2>
        <p>{{visit_time}} · {{visit_status}} · {{booking_status}}{{#pending}} <span class="badge pending">{{t.pending}}</span>{{/pending}}</p>
        {{#result}}<p>{{t.result}}：{{result}}</p>{{/result}}{{#rated}}<p>{{t.rated}}：{{rated}}</p>{{/rated}}
        {{#can_cancel}}<form method="post" action="/patient/bookings/{{id}}/cancel" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="project_id" value="{{project_id}}"><button type="submit" class="danger">{{t.cancel_booking}}</button></form>{{/can_cancel}}
        {{#can_rate}}<form method="post" action="/patient/bookings/{{id}}/rate" class="rate-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label for="score-{{id}}">{{t.score}}</label><select id="score-{{id}}" name="score">{{#scores}}<option value="{{.}}">{{.}}</option>{{/scores}}</select>
        <label for="comment-{{id}}">{{t.comment}}</label><input id="comment-{{id}}" name="comment"><button type="submit">{{t.rate_doctor}}</button></form>{{/can_rate}}
        </li>{{/bookings}}</ul>
        \(actionStates)
        </section>
        """
}
