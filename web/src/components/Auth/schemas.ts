import { z } from "zod";

// Mirrors identity's rules; the server has the last word (common passwords, zxcvbn score).
export const PASSWORD_MIN_LENGTH = 10;

const email = z
  .string()
  .trim()
  .min(1, "Enter your e-mail address.")
  .email("Enter a valid e-mail address.");

export const signInSchema = z.object({
  email,
  password: z.string().min(1, "Enter your password."),
  mfa_code: z
    .string()
    .trim()
    .regex(/^(\d{6}|[A-Za-z0-9-]{8,})?$/, "Enter the 6-digit code or a recovery code.")
    .optional(),
});

export const signUpSchema = z
  .object({
    name: z.string().trim().min(1, "Enter your name.").max(200, "Use at most 200 characters."),
    email,
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`),
  })
  .refine((values) => values.password.toLowerCase() !== values.email.toLowerCase(), {
    path: ["password"],
    message: "Your password must not be your e-mail address.",
  });

export type SignInValues = z.infer<typeof signInSchema>;
export type SignUpValues = z.infer<typeof signUpSchema>;

export const forgotPasswordSchema = z.object({ email });

const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(1024, "Use at most 1,024 characters.");

export const resetPasswordSchema = z
  .object({ password: newPassword, confirm: z.string() })
  .refine((values) => values.password === values.confirm, {
    path: ["confirm"],
    message: "The two passwords do not match.",
  });

export const changePasswordSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password."),
    new_password: newPassword,
    confirm: z.string(),
  })
  .refine((values) => values.new_password === values.confirm, {
    path: ["confirm"],
    message: "The two passwords do not match.",
  })
  .refine((values) => values.new_password !== values.current_password, {
    path: ["new_password"],
    message: "Choose a password different from the current one.",
  });

export type ForgotPasswordValues = z.infer<typeof forgotPasswordSchema>;
export type ResetPasswordValues = z.infer<typeof resetPasswordSchema>;
export type ChangePasswordValues = z.infer<typeof changePasswordSchema>;
