import ArgumentParser
import Foundation
import LocalRPC
import SocketClient
import VolunteerAPI

/// `vdsync account captcha|send-code|register|reset-password`: the account flows, made by the
/// daemon (front ends never talk to the network). Codes and passwords are passed on, never kept.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "SMS codes, registering and a new password, through the daemon (online only).",
        subcommands: [Captcha.self, SendCode.self, Register.self, ResetPassword.self])

    struct Captcha: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a captcha image (account.captcha); prints its captcha_id for send-code.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Write the image to this file.", valueName: "path"), completion: .file()) var out: String

        func run() async throws {
            let result = try await Invocation.call(global, "account.captcha", nil)
            guard case .string(let base64)? = result["image"], let image = Data(base64Encoded: base64),
                case .string(let id)? = result["captcha_id"]
            else {
                throw ValidationError("the daemon's answer holds no captcha image")
            }
            guard FileManager.default.createFile(atPath: out, contents: image) else { throw ValidationError("cannot write \(out)") }
            Output.write(
                global.json ? JSONText.pretty(["captcha_id": .string(id), "file": .string(out)]) + "\n" : "captcha_id \(id)\nimage written to \(out)\n")
        }
    }

    struct SendCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-code", abstract: "Have an SMS code sent to a phone (account.send_code), with a captcha if given.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The mainland mobile number.") var phone: String
        @Option(name: .customLong("captcha-id"), help: "The captcha_id printed by 'account captcha'.") var captchaID: String?
        @Option(name: .customLong("captcha"), help: "What the captcha image shows.") var captchaCode: String?

        func validate() throws {
            if (captchaID == nil) != (captchaCode == nil) { throw ValidationError("--captcha-id and --captcha go together") }
        }

        func run() async throws {
            var params: [String: JSONValue] = ["phone": .string(phone)]
            if let captchaID, let captchaCode {
                params["captcha_id"] = .string(captchaID)
                params["captcha_code"] = .string(captchaCode)
            }
            try await Invocation.run(global, "account.send_code", params)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an account with an SMS code (account.register); the new account is logged in.",
            discussion: "The password is read like login's: --password-file, --password-stdin, $VDSYNC_PASSWORD or a prompt.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var account: CodedAccount

        func run() async throws {
            try await Invocation.run(global, "account.register", try account.params())
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password with an SMS code (account.reset_password).",
            discussion: "The new password is read like login's: --password-file, --password-stdin, $VDSYNC_PASSWORD or a prompt.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var account: CodedAccount

        func run() async throws {
            try await Invocation.run(global, "account.reset_password", try account.params())
        }
    }

    /// What registering and a new password both take: the phone, its SMS code, the role and the
    /// (new) password, read without ever being an argument.
    struct CodedAccount: ParsableArguments {
        @Option(help: "The mainland mobile number.") var phone: String
        @Option(help: "The SMS code the phone received.") var code: String
        @Option(help: "patient, doctor or assistant.") var role: Login.Role
        @OptionGroup var password: PasswordSource

        func params() throws -> [String: JSONValue] {
            let secret = try password.read(prompt: "New password: ")
            return ["phone": .string(phone), "verify_code": .string(code), "password": .string(secret), "role": .string(role.rawValue)]
        }
    }
}
