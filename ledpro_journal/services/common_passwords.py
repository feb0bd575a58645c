"""A short blocklist of passwords that appear at the top of every leaked-password list, plus the
Norwegian favourites. Compared case-insensitively."""

COMMON_PASSWORDS = frozenset(
    """
    1234567890 12345678910 0123456789 1111111111 0000000000 1234512345 1234567891 9876543210
    1q2w3e4r5t qwertyuiop qwerty1234 qwerty12345 asdfghjkl1 password12 password123 password1234
    passord123 passord1234 passordet1 passordpassord passwordpassword iloveyou12 letmein123
    welcome123 abcdefghij abcd123456 abc1234567 football12 sommer2024 sommer2025 sommer2026
    vinter2024 vinter2025 vinter2026 hoest2024 host2025 varen2025 velkommen1 velkommen123
    velkommen2024 velkommen2025 velkommen2026 ledpro2024 ledpro2025 ledpro2026 ledelse123
    innlandet1 hemmelig123 hemmeligpassord norge12345 norway1234 brumunddal kommune123
    sommerferie qwertzuiop trustno1234 changeme12 changeme123 administrator admin12345
    adminadmin passw0rd123 p@ssw0rd12 p4ssw0rd123 mittpassord minpassord passord2024
    passord2025 passord2026 1qaz2wsx3edc zaq12wsxcde 123qweasdzxc superman12 starwars12
    """.split()
)
