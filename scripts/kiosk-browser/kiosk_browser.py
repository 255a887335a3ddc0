"""vdkiosk in a real browser: headless Debian chromium driven by selenium, against real vdapi,
vdsyncd and vdkiosk processes (kstack.py), one stack per scenario.

Every wait is explicit (WebDriverWait polling the DOM, or polling a process or a socket) with a
timeout; nothing sleeps to synchronise. Upstream effects are checked once, at the end of a
scenario, by reading vdapi's database file. Each step leaves a PNG in the screenshots folder.
"""

import argparse
import base64
import http.client
import os
import random
import shutil
import struct
import sys
import tempfile
import time
import traceback
import zlib
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import kstack

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SIZES = {"landscape": (1280, 800), "portrait": (800, 1280)}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def png_bytes(width=8, height=8, rgb=(200, 40, 40)):
    """A small valid PNG, made here so the suite needs no image files."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# -- the browser -----------------------------------------------------------------------------

class Browser:
    def __init__(self, shots_dir, scenario, work):
        self.shots_dir = shots_dir
        self.scenario = scenario
        self.step = 0
        self.profile = tempfile.mkdtemp(prefix="profile-", dir=work)
        options = Options()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN",
                    f"--user-data-dir={self.profile}", "--window-size=1280,800", "--no-first-run",
                    "--disable-extensions", "--disable-background-networking"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(CHROMEDRIVER, log_output=os.path.join(work, f"chromedriver-{scenario}.log"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_page_load_timeout(30)
        self.viewport(*SIZES["landscape"])

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    def viewport(self, width, height):
        """An exact CSS viewport (and so an exact screenshot size)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def shot(self, name):
        self.step += 1
        path = os.path.join(self.shots_dir, f"{self.scenario}-{self.step:02d}-{name}.png")
        self.driver.save_screenshot(path)
        return path

    def wait(self, condition, timeout, what):
        # Live updates swap regions in place, so an element read a moment ago may be gone: that
        # is "not yet", not a failure.
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition)
        except TimeoutException:
            raise Failure(f"timed out after {timeout} s: {what} (at {self.driver.current_url})") from None

    def wait_js(self, script, timeout, what):
        return self.wait(lambda d: d.execute_script(script), timeout, what)

    def open(self, url, ready=(By.CSS_SELECTOR, "main#content")):
        self.driver.get(url)
        self.wait(EC.presence_of_element_located(ready), 15, f"{ready[1]} on {url}")

    def submit(self, form_id, timeout=20):
        """Presses the form's submit button and waits for the next page (post/redirect/get)."""
        action = self.driver.find_element(By.ID, form_id).get_attribute("action")
        self.press(f"#{form_id} button[type=submit]", timeout)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", timeout, "the page to load")
        # A refusal by vdkiosk's guard is a plain page without the frame: say so, with its text.
        if not self.driver.find_elements(By.ID, "status-strip") and self.driver.find_elements(By.ID, "plain-message"):
            raise Failure(f"the browser's POST {urlsplit(action).path} (#{form_id}) was answered with the page "
                          f"“{self.text('h1')}: {self.text('#plain-message')}” instead of the screen")

    def press(self, css, timeout=20):
        """Clicks a button that submits a form and waits until the next page replaced this one.

        chromedriver can report an error for a click that did land: the form's navigation
        detached the button while the click command was still reading it ("Node with given id
        does not belong to the document"). Pressing again then would send the form twice, so
        a press is repeated only when no form was submitted: each attempt marks the document
        and listens for `submit`, and a page gone stale counts as submitted too. A button that
        a live update replaced before the click is found again."""
        for attempt in range(3):
            old = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.execute_script(
                "window.__vdSubmitted = false;"
                "document.addEventListener('submit', function () { window.__vdSubmitted = true; }, {capture: true, once: true});")
            try:
                self.driver.find_element(By.CSS_SELECTOR, css).click()
                break
            except (StaleElementReferenceException, WebDriverException):
                if self.submitted(old):
                    break
                if attempt == 2:
                    raise
                self.wait(lambda d: d.execute_script("return document.readyState") == "complete", timeout, "the page to settle")
        self.wait(lambda d: replaced(old), timeout, f"the page after pressing {css}")

    def submitted(self, old):
        """Whether the last press sent its form: the page it was made on is gone, or saw `submit`."""
        try:
            if replaced(old):
                return True
            return self.driver.execute_script("return window.__vdSubmitted === true") is True
        except WebDriverException:
            # The document is being replaced as we ask: the navigation the press started.
            return True

    def text(self, css):
        elements = self.driver.find_elements(By.CSS_SELECTOR, css)
        return elements[0].text if elements else ""

    def strip(self):
        return self.text("#status-strip")

    def live(self, timeout=15):
        self.wait_js("return document.body && document.body.dataset.live === 'open'", timeout, "the event stream to open")

    def console_errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry.get("level") == "SEVERE"]


def replaced(element):
    """Whether `element` left the document: stale, as selenium says, or, while a navigation
    commits, the inspector's "Node with given id does not belong to the document", which
    chromedriver reports as a plain WebDriverException (EC.staleness_of lets it through)."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def synthetic_idno():
    """A made-up ID-card number in vdapi's format (as the Swift tests' OutboxScenario makes
    them): never a real person's, and different on every run."""
    return "1101011985" + f"{random.randint(1, 12):02d}{random.randint(1, 28):02d}{random.randint(0, 9999):04d}"


def waiting_count(browser):
    text = browser.text("#outbox-waiting")
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else None


# -- plain HTTP ------------------------------------------------------------------------------

def http_request(base, method, path, headers=None, body=None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": f"{parts.hostname}:{parts.port}"}
        sent.update(headers or {})
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            sent["Content-Length"] = str(len(body))
        for key, value in sent.items():
            connection.putheader(key, value)
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data.decode("utf-8", "replace")
    finally:
        connection.close()


def session_cookie(stack):
    """Exchanges the start-up token for a session cookie, as the browser does."""
    path = urlsplit(stack.token_url)
    status, headers, _ = http_request(stack.kiosk_url, "GET", path.path + "?" + path.query)
    check(status in (302, 303, 307), f"token exchange answered {status}")
    cookie = headers.get("set-cookie", "").split(";")[0]
    check("=" in cookie, f"no session cookie in {headers}")
    return cookie


# -- scenarios -------------------------------------------------------------------------------

class Run:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.shots = args.screenshots
        self.stack = None
        self.browser = None

    def new_stack(self, name, role="doctor", configured=True):
        self.stack = kstack.KioskStack(self.args.bin, self.work, name, role=role, configured=configured).start()
        return self.stack

    def new_browser(self, name):
        self.browser = Browser(self.shots, name, self.work)
        return self.browser

    def photo(self, name):
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(png_bytes())
        return path

    def main_screens(self, browser, role):
        """The role's main screen at 1280×800 and 800×1280."""
        for label, (width, height) in SIZES.items():
            browser.viewport(width, height)
            browser.driver.execute_script("window.scrollTo(0, 0)")
            path = os.path.join(self.shots, f"main-{role}-{width}x{height}.png")
            browser.driver.save_screenshot(path)
        browser.viewport(*SIZES["landscape"])


def scenario_doctor_offline(run):
    stack = run.new_stack("doctor_offline")
    b = run.new_browser("doctor_offline")
    uploads_before = stack.db("SELECT count(*) AS n FROM upload")[0]["n"]
    b.open(stack.token_url)
    check(urlsplit(b.driver.current_url).path == "/doctor", f"token URL led to {b.driver.current_url}")
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#clinics-today a.card-link")), 15, "today's clinic card")
    run.main_screens(b, "doctor")
    b.shot("home")
    b.driver.find_element(By.CSS_SELECTOR, "#clinics-today a.card-link[href='/doctor/clinics/4']").click()
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "tr.booking[data-booking='16']")), 15, "booking 16 in clinic 4")
    check(b.driver.find_elements(By.CSS_SELECTOR, "tr.booking[data-booking='15']"), "booking 15 not in clinic 4")
    b.shot("clinic")

    code = stack.stop_vdapi()
    check(stack.vdapi.poll() is not None, "vdapi did not exit")

    result_text = f"血压 150/95，建议低盐饮食，两周后复诊。#{int(time.time())}"
    for booking in (15, 16):
        b.open(f"{stack.kiosk_url}/doctor/bookings/{booking}")
        b.live()
        b.submit("seen-form")
        check(urlsplit(b.driver.current_url).path == f"/doctor/bookings/{booking}", f"after seen: {b.driver.current_url}")
        b.shot(f"seen-{booking}")
    b.live()
    b.driver.find_element(By.ID, "result").send_keys(result_text)
    b.driver.find_element(By.ID, "photos").send_keys(run.photo("result.png"))
    b.submit("result-form")
    b.live()
    b.wait(lambda d: "离线" in b.text("#connectivity"), 45, "the strip to show 离线")
    b.wait(lambda d: (waiting_count(b) or 0) > 0, 15, "等待同步 N>0")
    waiting = waiting_count(b)
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#booking-summary h2 .badge.pending")), 15, "booking 16 pending")
    check("待同步" in b.text("#booking-summary h2 .badge.pending"), "the pending badge does not read 待同步")
    b.shot("offline-pending")

    b.driver.execute_script("window.__kioskMarker = 'no-reload'")
    refreshes_before = int(b.driver.execute_script("return document.body.dataset.refreshes || '0'"))
    started = time.time()
    stack.start_vdapi()
    b.wait(lambda d: waiting_count(b) == 0 and "在线" in b.text("#connectivity"), 90,
           "the strip to show 在线 and 等待同步 0 after vdapi came back")
    b.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#booking-summary h2 .badge.pending"), 30,
           "booking 16's pending badge to go")
    b.wait(lambda d: "已诊" in b.text("#visit-status"), 30, "booking 16 to read 已诊")
    b.wait(lambda d: result_text in b.text("#recorded-result"), 30, "the recorded result on the page")
    synced = time.time() - started
    check(b.driver.execute_script("return window.__kioskMarker") == "no-reload", "the page was reloaded")
    refreshes = int(b.driver.execute_script("return document.body.dataset.refreshes || '0'"))
    check(refreshes > refreshes_before, "document.body.dataset.refreshes did not grow")
    b.shot("synced")

    rows = {r["id"]: r for r in stack.db("SELECT id, status, diag_result, diag_photo FROM diagnosis WHERE id IN (15, 16)")}
    check(rows.get(15, {}).get("status") == 3 and rows.get(16, {}).get("status") == 3,
          f"upstream diagnoses 15/16 status: {[(k, v['status']) for k, v in rows.items()]}")
    stored = stack.db("SELECT count(*) AS n FROM diagnosis WHERE diag_result = ?", (result_text,))[0]["n"]
    check(stored == 1, f"result text stored {stored} times")
    uploads = stack.db("SELECT count(*) AS n FROM upload")[0]["n"] - uploads_before
    check(uploads == 1, f"{uploads} photos uploaded, expected 1")
    photo_field = rows[16]["diag_photo"] or ""
    check(photo_field.count("/uploads/") == 1, f"diagnosis 16 diag_photo: {photo_field}")
    return (f"vdapi stopped (exit {code}); 2 seen + result with photo queued offline (离线, 等待同步 {waiting}); "
            f"synced {synced:.1f}s after restart without reload (refreshes {refreshes_before}->{refreshes}); "
            f"upstream: 15,16 status 3, result x1, upload x1")


def login(b, stack, role):
    b.open(stack.token_url)
    check(urlsplit(b.driver.current_url).path == "/login", f"without an account the token led to {b.driver.current_url}")
    b.shot("login")
    b.driver.find_element(By.ID, "phone").send_keys(kstack.ACCOUNTS[role])
    b.driver.find_element(By.ID, "password").send_keys(kstack.PASSWORD)
    b.driver.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    b.submit("login-form", timeout=30)
    check(urlsplit(b.driver.current_url).path == f"/{role}", f"after login: {b.driver.current_url}")


def scenario_assistant_walkin(run):
    stack = run.new_stack("assistant_walkin", role="assistant", configured=False)
    b = run.new_browser("assistant_walkin")
    login(b, stack, "assistant")
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#assistant-clinics a.card-link")), 30, "a clinic card")
    b.shot("home")

    name = "钱多多"
    idno = synthetic_idno()
    b.open(f"{stack.kiosk_url}/assistant/patients")
    b.live()
    fields = {"real_name": name, "idno": idno, "height": "172", "weight": "68.5", "addr": "北京市东城区和平里 3 号", "password": "walkin123"}
    for field, value in fields.items():
        b.driver.find_element(By.ID, field).send_keys(value)
    for group in ("marital_status", "drink_status", "smoking_status"):
        b.driver.find_element(By.CSS_SELECTOR, f"input[name={group}][value='0']").click()
    b.shot("form")
    b.submit("create-form")
    check(urlsplit(b.driver.current_url).path == "/assistant/patients", f"after create: {b.driver.current_url}")
    item = f"//section[@id='patients-list']//li[contains(., '{name}')]"
    b.wait(EC.presence_of_element_located((By.XPATH, item)), 15, "the new patient listed")
    pending_seen = bool(b.driver.find_elements(By.XPATH, item + "[contains(@class, 'is-pending')]"))
    b.shot("listed")
    b.live()
    b.wait(lambda d: d.find_elements(By.XPATH, item) and not d.find_elements(By.XPATH, item + "[contains(@class, 'is-pending')]"),
           60, "the new patient applied (no 待同步)")
    b.shot("applied")

    # A clinic that takes bookings: upstream, active, not started yet (vdapi's clock is Beijing
    # time), with a free place.
    upcoming = {r["id"] for r in stack.db(
        "SELECT p.id FROM project p WHERE p.status = 1 AND p.date || ' ' || p.begin > datetime('now', '+8 hours') "
        "AND p.people_count > (SELECT count(*) FROM diagnosis d WHERE d.project_id = p.id AND d.verify_status = 1)")}
    b.open(f"{stack.kiosk_url}/assistant")
    cards = [c for c in b.driver.find_elements(By.CSS_SELECTOR, "#assistant-clinics a.card-link")
             if int(c.get_attribute("href").rstrip("/").split("/")[-1]) in upcoming]
    check(cards, f"no listed clinic is upcoming with a free place (upstream: {sorted(upcoming)})")
    clinic = int(cards[0].get_attribute("href").rstrip("/").split("/")[-1])
    cards[0].click()
    b.wait(EC.presence_of_element_located((By.ID, "book-form")), 15, "the booking form")
    b.live()
    patient_select = Select(b.driver.find_element(By.ID, "patient_id"))
    options = [o for o in patient_select.options if name in o.text]
    check(len(options) == 1, f"patient options for {name}: {[o.text for o in patient_select.options]}")
    patient_select.select_by_value(options[0].get_attribute("value"))
    slot_select = Select(b.driver.find_element(By.ID, "slot"))
    slot = next(o.get_attribute("value") for o in slot_select.options if o.get_attribute("value"))
    slot_select.select_by_value(slot)
    b.submit("book-form")
    check(urlsplit(b.driver.current_url).path == f"/assistant/clinics/{clinic}", f"after booking: {b.driver.current_url}")
    row = f"//section[@id='clinic-bookings']//tr[contains(@class,'booking')][contains(., '{name}')]"
    b.wait(EC.presence_of_element_located((By.XPATH, row)), 15, "the booking in the clinic's list")
    b.shot("booked")
    b.live()
    b.wait(lambda d: d.find_elements(By.XPATH, row) and not d.find_elements(By.XPATH, row + "[contains(@class,'is-pending')]"),
           60, "the booking applied")
    b.shot("booking-applied")

    users = stack.db("SELECT id FROM user WHERE idno = ? AND real_name = ?", (idno, name))
    check(len(users) == 1, f"{len(users)} upstream patients with the walk-in's ID number")
    bookings = stack.db("SELECT id FROM diagnosis WHERE user_id = ? AND project_id = ?", (users[0]["id"], clinic))
    check(len(bookings) == 1, f"{len(bookings)} upstream bookings of the walk-in in clinic {clinic}")
    return (f"logged in on the login screen; patient created (pending shown: {'yes' if pending_seen else 'no'}) then applied; "
            f"booked into clinic {clinic} slot {slot}; upstream: patient x1, booking x1")


def scenario_patient_booking(run):
    stack = run.new_stack("patient_booking", role="patient")
    b = run.new_browser("patient_booking")
    uploads_before = stack.db("SELECT count(*) AS n FROM upload")[0]["n"]
    user = stack.db("SELECT id FROM user WHERE phone = ? AND type = 1", (kstack.ACCOUNTS["patient"],))[0]["id"]
    busy = {r["project_id"] for r in stack.db("SELECT project_id FROM diagnosis WHERE user_id = ? AND verify_status = 1", (user,))}
    busy |= {r["id"] for r in stack.db("SELECT id FROM project WHERE date || ' ' || begin <= datetime('now', '+8 hours')")}
    b.open(stack.token_url)
    check(urlsplit(b.driver.current_url).path == "/patient", f"token URL led to {b.driver.current_url}")
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#open-clinics a.card-link")), 15, "open clinics")
    run.main_screens(b, "patient")
    b.shot("home")
    cards = b.driver.find_elements(By.CSS_SELECTOR, "#open-clinics a.card-link")
    candidates = [c for c in cards if int(c.get_attribute("href").rstrip("/").split("/")[-1]) not in busy]
    check(candidates, f"no listed clinic without a booking of 赵明 (listed {len(cards)}, busy {sorted(busy)})")
    clinic = int(candidates[0].get_attribute("href").rstrip("/").split("/")[-1])
    candidates[0].click()
    b.wait(EC.presence_of_element_located((By.ID, "book-form")), 15, "the booking form")
    b.live()
    slot_select = Select(b.driver.find_element(By.ID, "slot"))
    slot = next(o.get_attribute("value") for o in slot_select.options if o.get_attribute("value"))
    slot_select.select_by_value(slot)
    description = f"咳嗽三天，夜间加重，无发热。#{int(time.time())}"
    b.driver.find_element(By.ID, "description").send_keys(description)
    b.driver.find_element(By.ID, "photos").send_keys(run.photo("symptom.png"))
    b.shot("form")
    b.submit("book-form")
    check(urlsplit(b.driver.current_url).path == "/patient/bookings", f"after booking: {b.driver.current_url}")
    b.live()
    b.shot("bookings-pending")
    # The new booking: once applied, it is the one whose casebook is this description upstream.
    b.wait(lambda d: waiting_count(b) == 0 and not d.find_elements(By.CSS_SELECTOR, "#my-bookings li.is-pending"), 60,
           "the booking applied (等待同步 0, nothing pending)")
    rows = stack.db("SELECT d.id, c.photo FROM diagnosis d JOIN casebook c ON c.id = d.casebook_id "
                    "WHERE d.user_id = ? AND d.project_id = ? AND c.content = ?", (user, clinic, description))
    check(len(rows) == 1, f"{len(rows)} upstream bookings with the description")
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, f"#my-bookings li.booking[data-booking='{rows[0]['id']}']")), 30,
           f"booking {rows[0]['id']} on /patient/bookings")
    b.shot("bookings")
    uploads = stack.db("SELECT count(*) AS n FROM upload")[0]["n"] - uploads_before
    check(uploads == 1, f"{uploads} photos uploaded, expected 1")
    check((rows[0]["photo"] or "").count("/uploads/") == 1, f"casebook photo: {rows[0]['photo']}")
    return f"booked clinic {clinic} slot {slot} with symptoms and a photo; listed as booking {rows[0]['id']}; upstream: booking x1, upload x1"


def scenario_rejection(run):
    stack = run.new_stack("rejection")
    b = run.new_browser("rejection")
    b.open(stack.token_url)
    b.open(f"{stack.kiosk_url}/doctor/bookings/16")
    b.live()
    b.driver.find_element(By.ID, "reason").send_keys("当日名额已满，请改约下周")
    b.submit("reject-form")
    check(urlsplit(b.driver.current_url).path == "/doctor/bookings/16", f"after reject: {b.driver.current_url}")
    b.live()
    b.wait(lambda d: b.text("#action-states .action-rejected .server-message").strip(), 45,
           "the server's refusal in #action-states")
    message = b.text("#action-states .action-rejected .server-message").strip()
    b.shot("rejected-here")
    b.open(f"{stack.kiosk_url}/outbox")
    row = "#outbox-list tr.entry.state-rejected"
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, row)), 15, "the rejected entry on /outbox")
    check(b.text(row + " .server-message").strip() == message, f"outbox message {b.text(row + ' .server-message')!r} != {message!r}")
    buttons = [e.text for e in b.driver.find_elements(By.CSS_SELECTOR, row + " button")]
    check("重试" in buttons and "放弃" in buttons, f"buttons on the rejected entry: {buttons}")
    mutation = b.driver.find_element(By.CSS_SELECTOR, row).get_attribute("data-mutation")
    b.shot("outbox")
    b.press(f"{row}[data-mutation='{mutation}'] form[action$='/discard'] button")
    b.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, f"#outbox-list tr.entry[data-mutation='{mutation}']"), 15,
           "the discarded entry to leave the list")
    b.shot("discarded")
    verify = stack.db("SELECT verify_status FROM diagnosis WHERE id = 16")[0]["verify_status"]
    check(verify == 1, f"upstream booking 16 verify_status {verify} after a refused reject")
    return f"reject of booking 16 refused upstream: “{message}” shown in #action-states and /outbox (重试/放弃); discarded mutation {mutation}"


def scenario_refused_field(run):
    stack = run.new_stack("refused_field", role="assistant")
    b = run.new_browser("refused_field")
    b.open(stack.token_url)
    check(urlsplit(b.driver.current_url).path == "/assistant", f"token URL led to {b.driver.current_url}")
    # The assistant's main screen comes from here: this stack signs in by itself, so the shot does
    # not depend on the login form.
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#assistant-clinics a.card-link")), 15, "a clinic card")
    run.main_screens(b, "assistant")
    b.open(f"{stack.kiosk_url}/assistant/patients")
    typed = {"idno": synthetic_idno(), "height": "165", "weight": "55", "addr": "北京市西城区金融街 7 号"}
    for field, value in typed.items():
        b.driver.find_element(By.ID, field).send_keys(value)
    b.driver.find_element(By.ID, "password").send_keys("walkin123")
    b.driver.find_element(By.CSS_SELECTOR, "input[name=marital_status][value='1']").click()
    b.driver.find_element(By.CSS_SELECTOR, "input[name=drink_status][value='0']").click()
    b.driver.find_element(By.CSS_SELECTOR, "input[name=smoking_status][value='1']").click()
    b.submit("create-form")
    b.wait(lambda d: b.text("#real_name-error").strip(), 10, "#real_name-error beside the empty name")
    error = b.text("#real_name-error").strip()
    b.shot("field-error")
    kept = {f: b.driver.find_element(By.ID, f).get_attribute("value") for f in typed}
    check(kept == typed, f"typed values not kept: {kept}")
    radios = {g: b.driver.find_element(By.CSS_SELECTOR, f"input[name={g}]:checked").get_attribute("value")
              if b.driver.find_elements(By.CSS_SELECTOR, f"input[name={g}]:checked") else None
              for g in ("marital_status", "drink_status", "smoking_status")}
    check(radios == {"marital_status": "1", "drink_status": "0", "smoking_status": "1"}, f"radio choices not kept: {radios}")
    others = [e.get_attribute("id") for e in b.driver.find_elements(By.CSS_SELECTOR, "#create-form .field-error") if e.text.strip()]
    check(others == ["real_name-error"], f"errors shown: {others}")
    waiting = waiting_count(b)
    check(waiting == 0, f"a refused form queued something (等待同步 {waiting})")
    return f"empty 姓名 → #real_name-error “{error}”; idno/height/weight/addr and the 3 radio choices kept; nothing queued"


def scenario_security(run):
    stack = run.new_stack("security")
    base = stack.kiosk_url
    facts = []
    status, _, _ = http_request(base, "GET", "/doctor", {"Host": "evil.example"})
    check(status == 403, f"foreign Host answered {status}")
    cookie = session_cookie(stack)
    status, _, _ = http_request(base, "GET", "/doctor", {"Cookie": cookie, "Host": "evil.example"})
    check(status == 403, f"foreign Host with the cookie answered {status}")
    status, _, _ = http_request(base, "POST", "/logout", {"Cookie": cookie, "Origin": "http://evil.example"}, b"_csrf=x")
    check(status == 403, f"foreign Origin POST answered {status}")
    for path in ("/", "/doctor", "/outbox", "/events"):
        status, headers, _ = http_request(base, "GET", path)
        check(status == 401, f"{path} without cookie or token answered {status}")
    status, headers, body = http_request(base, "GET", "/doctor", {"Cookie": cookie})
    check(status == 200, f"/doctor with the cookie answered {status}")
    csrf = body.split('name="_csrf" value="')[1].split('"')[0]
    status, _, _ = http_request(base, "POST", "/doctor/bookings/15/seen", {"Cookie": cookie}, b"")
    check(status == 403, f"POST without _csrf answered {status}")
    status, _, _ = http_request(base, "POST", "/doctor/bookings/15/seen", {"Cookie": cookie}, b"_csrf=" + b"0" * len(csrf))
    check(status == 403, f"POST with a wrong _csrf answered {status}")
    queued = stack.call("status")["outbox"]
    check(sum(queued.values()) == 0, f"a refused POST reached the outbox: {queued}")
    # Every response carries the security headers, refusals and errors included (the guard's
    # contract): screens, a static asset, the guard's own refusals, an unknown path, a bad id.
    problems = []
    probes = [("/doctor", {"Cookie": cookie}), ("/login", {"Cookie": cookie}), ("/outbox", {"Cookie": cookie}),
              ("/static/kiosk.js", {}), ("/doctor", {}), ("/doctor", {"Cookie": cookie, "Host": "evil.example"}),
              ("/no-such-screen", {"Cookie": cookie}), ("/doctor/bookings/abc", {"Cookie": cookie})]
    for path, headers_sent in probes:
        status, headers, _ = http_request(base, "GET", path, headers_sent)
        csp = headers.get("content-security-policy", "")
        label = f"GET {path} ({status}{', no cookie' if 'Cookie' not in headers_sent else ''})"
        if not csp or "unsafe-inline" in csp or "script-src 'self'" not in csp:
            problems.append(f"{label}: Content-Security-Policy {csp!r}")
        if headers.get("cache-control") != "no-store":
            problems.append(f"{label}: Cache-Control {headers.get('cache-control')!r}")
    facts.append(f"Host/Origin 403, no cookie 401 (4 paths), CSRF missing/wrong 403, headers probed on {len(probes)} responses")

    b = run.new_browser("security")
    b.driver.get(base + "/")
    b.wait(lambda d: "需要启动令牌" in b.text("h1"), 10, "the 需要启动令牌 page")
    b.shot("token-needed")
    b.driver.get_log("browser")  # the 401 itself is logged as a failed load; only the screens count
    b.open(stack.token_url)
    screens = ["/doctor", "/doctor/clinics/4", "/doctor/bookings/15", "/outbox", "/chats", "/messages", "/login"]
    violations = []
    for path in screens:
        b.open(base + path)
        b.live() if path != "/login" else None
        b.shot(path.strip("/").replace("/", "-") or "root")
        violations += [e["message"] for e in b.console_errors() if "Content Security Policy" in e["message"] or "Refused" in e["message"]]
    if violations:
        problems.append(f"CSP violations in the console: {violations[:3]}")
    facts.append(f"browser: 需要启动令牌 without token; console checked on {len(screens)} screens")
    check(not problems, "; ".join(problems))
    return "; ".join(facts)


def scenario_daemon_down(run):
    stack = run.new_stack("daemon_down")
    b = run.new_browser("daemon_down")
    b.open(stack.token_url)
    b.live()
    b.shot("before")
    cookie = session_cookie(stack)
    code = stack.stop_vdsyncd()
    status, headers, body = http_request(stack.kiosk_url, "GET", "/doctor", {"Cookie": cookie})
    check(status == 503 and "同步服务未运行" in body, f"with vdsyncd stopped /doctor answered {status}")
    b.open(f"{stack.kiosk_url}/doctor", ready=(By.TAG_NAME, "h1"))
    b.wait(lambda d: "同步服务未运行" in b.text("h1"), 10, "the 同步服务未运行 page")
    check(b.text("#plain-message").strip(), "the unreachable page has no message")
    b.shot("unreachable")
    started = time.time()
    stack.start_vdsyncd()
    b.wait(lambda d: d.find_elements(By.ID, "status-strip") and "同步服务未运行" not in b.text("h1"), 30,
           "the page to recover by itself")
    recovered = time.time() - started
    b.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#clinics-today")), 10, "the doctor's home")
    b.shot("recovered")

    # A page left open while vdsyncd restarts keeps its live updates: the refused reconnects are
    # retried by kiosk.js, and a change made after the restart shows without a reload.
    b.open(f"{stack.kiosk_url}/doctor/bookings/15")
    b.live()
    b.driver.execute_script("window.__kioskMarker = 'no-reload'")
    check(b.text("#visit-status") == "待诊", f"booking 15 reads {b.text('#visit-status')!r} before")
    stack.stop_vdsyncd()
    b.wait(lambda d: d.execute_script("return document.body.dataset.live") == "reconnecting", 20, "the stream to notice")
    stack.start_vdsyncd()
    b.wait(lambda d: d.execute_script("return document.body.dataset.live") == "open", 30, "the stream to come back")
    stack.call("diagnosis.markDone", {"diagnosis_id": 15})
    b.wait(lambda d: b.text("#visit-status") == "已诊", 30, "booking 15 to read 已诊 without a reload")
    check(b.driver.execute_script("return window.__kioskMarker") == "no-reload", "the page was reloaded")
    b.shot("live-after-restart")
    return (f"vdsyncd stopped (exit {code}): 503 同步服务未运行 (Retry-After {headers.get('retry-after')}); recovered {recovered:.1f}s "
            "after restart without a touch; an open page's stream came back after a restart and showed a change without a reload")


SCENARIOS = [
    ("doctor_offline", scenario_doctor_offline),
    ("assistant_walkin", scenario_assistant_walkin),
    ("patient_booking", scenario_patient_booking),
    ("rejection", scenario_rejection),
    ("refused_field", scenario_refused_field),
    ("security", scenario_security),
    ("daemon_down", scenario_daemon_down),
]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/kiosk-browser/run")
    parser.add_argument("--bin", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--update-docs", action="store_true")
    parser.add_argument("--docs", default=None, help="docs/screenshots directory (for --update-docs)")
    args = parser.parse_args(argv)
    args.bin = os.path.abspath(args.bin)
    for tool in ("vdapi", "vdsyncd", "vdkiosk"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            print(f"kiosk-browser: {tool} not found in {args.bin}", file=sys.stderr)
            return 2
    os.makedirs(args.screenshots, exist_ok=True)
    chosen = SCENARIOS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in dict(SCENARIOS)]
        if unknown:
            print(f"kiosk-browser: unknown scenario {unknown}; known: {', '.join(n for n, _ in SCENARIOS)}", file=sys.stderr)
            return 2
        chosen = [(n, f) for n, f in SCENARIOS if n in names]
    work = tempfile.mkdtemp(prefix="kiosk-browser-")
    print(f"kiosk-browser: work directory {work} (logs per scenario), screenshots in {args.screenshots}", flush=True)
    passed = failed = 0
    began = time.time()
    for name, function in chosen:
        run = Run(args, work)
        t0 = time.time()
        try:
            facts = function(run)
            print(f"PASS {name}: {facts} ({time.time() - t0:.1f}s)", flush=True)
            passed += 1
        except Exception as error:  # noqa: BLE001 - any failure is this scenario's
            if run.browser:
                try:
                    run.browser.shot("FAILED")
                except Exception:  # noqa: BLE001
                    pass
            reason = str(error) if isinstance(error, (Failure, kstack.StackError)) else traceback.format_exc(limit=-6).strip().replace("\n", " | ")
            print(f"FAIL {name}: {reason} ({time.time() - t0:.1f}s; logs in {os.path.join(work, name)})", flush=True)
            failed += 1
        finally:
            if run.browser:
                run.browser.quit()
            if run.stack:
                run.stack.stop()
    if args.update_docs and args.docs:
        os.makedirs(args.docs, exist_ok=True)
        for role in ("doctor", "assistant", "patient"):
            source = os.path.join(args.screenshots, f"main-{role}-1280x800.png")
            if os.path.exists(source):
                shutil.copyfile(source, os.path.join(args.docs, f"{role}.png"))
                print(f"kiosk-browser: updated {os.path.join(args.docs, role + '.png')}")
            else:
                print(f"kiosk-browser: no {source} to copy (did its scenario run?)")
    print(f"kiosk-browser: {passed} passed, {failed} failed ({time.time() - began:.0f}s; work directory {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
