import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cancelScheduledRefresh } from "@/lib/api/session";
import { useAuthStore } from "@/stores/auth";
import { renderWithQuery as render } from "@/test/query";
import { ForgotPasswordForm } from "./ForgotPasswordForm";
import { SignInForm } from "./SignInForm";
import { SignUpForm } from "./SignUpForm";

const router = { replace: vi.fn(), push: vi.fn() };
vi.mock("next/navigation", () => ({
  useRouter: () => router,
  useSearchParams: () => new URLSearchParams(),
}));

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": status < 400 ? "application/json" : "application/problem+json" },
  });
const user = {
  id: "u1",
  name: "Ada",
  email: "ada@example.com",
  email_verified: false,
  created_at: "",
};
const auth = { access_token: "token", expires_in: 900, user };

describe("account forms", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    // The sign-in form also asks which providers there are: none here.
    vi.stubGlobal("fetch", (input: Request) =>
      new URL(input.url).pathname === "/api/auth/oauth/providers"
        ? Promise.resolve(json(200, []))
        : fetchMock(input),
    );
    useAuthStore.setState({ accessToken: null, status: "anonymous", user: null });
  });
  afterEach(() => {
    fetchMock.mockReset();
    router.replace.mockReset();
    vi.unstubAllGlobals();
    cancelScheduledRefresh();
  });

  it("signs up, keeping the session in memory, and puts a field's refusal beside it", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(422, {
          title: "Some fields need attention",
          status: 422,
          errors: [{ loc: ["body", "email"], msg: "That address already has an account." }],
        }),
      )
      .mockResolvedValueOnce(json(201, auth));
    render(<SignUpForm />);
    await userEvent.type(screen.getByLabelText("Name"), "Ada");
    await userEvent.type(screen.getByLabelText("E-mail"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "a long enough passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("That address already has an account.")).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByText("Some fields need attention")).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() => expect(router.replace).toHaveBeenCalled());
    expect(useAuthStore.getState().accessToken).toBe("token");
    expect(useAuthStore.getState().user).toEqual(user);
  });

  it("checks fields before sending anything", async () => {
    render(<ForgotPasswordForm />);
    await userEvent.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByText("Enter your e-mail address.")).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("asks for the authenticator code when the account has one, then for a working one", async () => {
    const mfa = () => json(401, { title: "Code required", status: 401, mfa_required: true });
    fetchMock.mockResolvedValueOnce(mfa()).mockResolvedValueOnce(mfa());
    render(<SignInForm />);
    await userEvent.type(screen.getByLabelText("E-mail"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(
      await screen.findByText("Enter the 6-digit code from your authenticator app."),
    ).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Authentication code"), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(
      await screen.findByText("That code did not work. Try the current one, or a recovery code."),
    ).toBeInTheDocument();
    const second = fetchMock.mock.calls[1]![0] as Request;
    expect(await second.json()).toEqual({
      email: "ada@example.com",
      password: "secret",
      mfa_code: "123456",
    });
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("shows a refusal that names no field above the form", async () => {
    fetchMock.mockResolvedValueOnce(
      json(401, { title: "Unauthorized", status: 401, detail: "Wrong e-mail or password." }),
    );
    render(<SignInForm />);
    await userEvent.type(screen.getByLabelText("E-mail"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong e-mail or password.");
  });
});
